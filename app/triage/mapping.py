"""The one translation point between database rows and the policy engine's Case."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

from sqlalchemy import select

from app import policy
from app.extensions import db
from app.orders.models import Order

FINAL_STATUSES = ("Completed", "Partial", "Canceled", "Cancelled", "Refunded", "Failed")


def active_until(order: Order, now: datetime) -> datetime:
    """When the order stopped running: its final status's time, or still running now."""
    return order.status_changed_at if order.status in FINAL_STATUSES else now


def overlapping(order: Order, now: datetime) -> list[Order]:
    """Other orders on the same link that ran at the same time as `order` (oldest first)."""
    others = db.session.scalars(select(Order).where(Order.link == order.link, Order.id != order.id)
                                .order_by(Order.created_at))
    until = active_until(order, now)
    return [o for o in others if o.created_at < until and order.created_at < active_until(o, now)]


def overlapping_orders(order: Order, now: datetime) -> int:
    return len(overlapping(order, now))


def build_case(ticket, order: Order | None, now: datetime) -> policy.Case:
    customer = ticket.customer
    return policy.Case(
        case_id=f"{ticket.id}:{order.panel_id if order else '-'}",
        now=now,
        kind=ticket.kind,
        reason=ticket.reason,
        customer=policy.Customer(suspended=customer.is_suspended, chargeback=customer.has_chargeback),
        order=_order(order, now) if order is not None else None,
    )


def _order(order: Order, now: datetime) -> policy.Order:
    service = order.service
    return policy.Order(
        id=order.panel_id, status=order.status, charge=order.charge, currency=order.currency,
        quantity=order.quantity, remains=order.remains if order.remains is not None else order.quantity,
        start_count=order.start_count, created_at=order.created_at, status_changed_at=order.status_changed_at,
        refunded=order.refunded, link=order.link, overlapping_orders=overlapping_orders(order, now),
        service=policy.Service(refill=service.refill, refill_days=service.refill_days, cancel=service.cancel),
    )


def snapshot_digest(case: policy.Case) -> str:
    """What the verdict was computed from, minus the clock: a change means the verdict is stale."""
    data = {"kind": case.kind, "reason": case.reason, "customer": case.customer.__dict__}
    if case.order is not None:
        data["order"] = {k: str(v) for k, v in case.order.__dict__.items() if k != "service"}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
