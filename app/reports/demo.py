"""Demo history for the dashboards: refund credits, provider actions, and a reused screenshot.

Called by app.demo.loader after the demo tickets exist. Rows are written directly from the models
(not through the wallet or actions services) so the demo does not depend on a worker running.
"""
from __future__ import annotations

import io
import random
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app
from PIL import Image
from sqlalchemy import select

from app.actions.models import Action
from app.attachments import storage
from app.attachments.services import Upload
from app.extensions import db
from app.tickets import services as tickets
from app.tickets.models import Attachment, Ticket, ticket_orders
from app.wallet.models import LedgerEntry

REFUNDABLE = ("Canceled", "Partial", "Refunded")


def load_history(orders, customers, now: datetime) -> None:
    ticketed = set(db.session.scalars(select(ticket_orders.c.order_id)))
    rng = random.Random(6)
    for order in orders:
        if order.status in REFUNDABLE and order.id not in ticketed and order.status_changed_at < now - timedelta(hours=6):
            _credit(order, rng)
    _provider_actions([o for o in orders if o.id not in ticketed], now, rng)
    _reuse_screenshot()
    db.session.flush()


def _refund_amount(order) -> Decimal:
    if order.status == "Partial" and order.quantity and order.remains is not None:
        return (order.charge * order.remains / order.quantity).quantize(Decimal("0.00001"))
    return order.charge


def _credit(order, rng: random.Random) -> None:
    """One credit, as the refund poll would write it: a done action and its ledger entry."""
    amount = _refund_amount(order)
    done_at = order.status_changed_at + timedelta(minutes=rng.randint(2, 90))
    cause = f"status:{order.status}"
    action = Action(order_id=order.id, customer_id=order.customer_id, kind="credit", amount=amount, cause=cause,
                    state="done", idempotency_key=f"demo:credit:{order.panel_id}", attempts=1,
                    created_at=order.status_changed_at, updated_at=done_at, finished_at=done_at)
    db.session.add(action)
    db.session.flush()
    db.session.add(LedgerEntry(customer_id=order.customer_id, kind="refund_credit", amount=amount,
                               order_id=order.id, action_id=action.id, cause=cause,
                               memo=f"Refund for {order.panel_id} ({order.status})", created_at=done_at))
    order.refunded = amount


def _provider_actions(orders, now: datetime, rng: random.Random) -> None:
    """A few refills sent and done, and two actions that failed, so every money chart has data."""
    refillable = [o for o in orders if o.status == "Completed" and o.service.refill][:8]
    for order in refillable:
        done_at = min(order.status_changed_at + timedelta(days=rng.randint(1, 9)), now)
        db.session.add(Action(order_id=order.id, customer_id=order.customer_id, kind="provider_refill",
                              state="done", idempotency_key=f"demo:refill:{order.panel_id}", attempts=1,
                              provider_ref=str(rng.randint(1000, 9999)), created_at=done_at, updated_at=done_at,
                              finished_at=done_at))
    running = [o for o in orders if o.status in ("In progress", "Processing")][:2]
    for order, error in zip(running, ("The provider refused: order cannot be canceled",
                                      "The provider did not answer in 10 seconds")):
        failed_at = now - timedelta(hours=rng.randint(1, 30))
        db.session.add(Action(order_id=order.id, customer_id=order.customer_id, kind="provider_cancel",
                              state="failed", idempotency_key=f"demo:cancel:{order.panel_id}", attempts=3,
                              last_error=error, created_at=failed_at, updated_at=failed_at))


def _reuse_screenshot() -> None:
    """Attach a resized JPEG copy of one customer's screenshot to another customer's ticket."""
    first = db.session.scalar(select(Attachment).order_by(Attachment.id))
    if first is None:
        return
    other = db.session.scalar(select(Ticket).where(Ticket.customer_id != first.ticket.customer_id,
                                                   Ticket.status.in_(("new", "open"))).order_by(Ticket.id))
    if other is None:
        return
    with open(storage.path_for(current_app.config["UPLOAD_FOLDER"], first.storage_key), "rb") as stored:
        data = stored.read()
    with Image.open(io.BytesIO(data)) as image:
        copy = image.convert("RGB").resize((image.width * 3 // 4, image.height * 3 // 4))
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=80)
    tickets.add_message(other, other.customer,
                        "Here is the screenshot of my order page.", uploads=[Upload("proof.jpg", out.getvalue())])
