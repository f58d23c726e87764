"""Helpers shared by the money tests: demo-provider-backed orders, tickets, running actions, invariants."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from app.actions import execution
from app.actions.models import Action
from app.db import utcnow
from app.extensions import db
from app.orders.models import Order
from app.providers.demo_world import service_by_id
from app.providers.models import Provider, Service
from app.settings import services as settings
from app.tickets import services as tickets
from app.wallet import services as wallet
from app.wallet.models import LedgerEntry

FAST = {
    "ACTIONS_RETRY_BASE_SECONDS": 0, "ACTIONS_FOLLOW_SECONDS": 0, "ACTIONS_CLOCK_TOLERANCE_SECONDS": 1,
    "ACTIONS_MAX_ATTEMPTS": 3, "ACTIONS_PROVIDER_TIMEOUT": 3,
}


def demo_service(url: str, key: str, service_id: int = 101) -> Service:
    spec = service_by_id(service_id)
    provider = Provider(name=f"Demo {url}", api_url=url, api_key=key)
    service = Service(provider=provider, provider_service_id=str(service_id), name=spec["name"],
                      refill=spec["refill"], refill_days=spec["refill_days"], cancel=spec["cancel"],
                      rate=Decimal(spec["rate"]))
    db.session.add_all([provider, service])
    db.session.commit()
    return service


def order_for(customer, service: Service, rec: dict, *, status: str | None = None, charge="4.00",
              panel_id: str | None = None) -> Order:
    """A desk order mirroring demo provider order `rec`."""
    order = Order(
        panel_id=panel_id or f"SMM{rec['order']}", customer_id=customer.id, service=service, link=rec["link"],
        quantity=rec["quantity"], charge=Decimal(charge), status=status or rec["status"],
        start_count=rec["start_count"], remains=rec["remains"], provider_order_id=str(rec["order"]),
        created_at=utcnow(), status_changed_at=utcnow(),
    )
    db.session.add(order)
    db.session.commit()
    return order


def no_auto_approval() -> None:
    settings.set_auto_approval_limits({"credit": None, "cancel": None, "refill": None})
    db.session.commit()


def file_ticket(customer, order, kind="refund", reason="not_delivered"):
    ticket = tickets.open_ticket(customer, kind=kind, reason=reason, subject="Help", body="Please",
                                 order_ids=[order.panel_id])
    db.session.commit()
    return ticket


def run_until_settled(action_id: int, limit: int = 20, before_each=None) -> list[str]:
    """Run the action's steps (as a worker would) until it is final or nothing is due."""
    outcomes = []
    for _ in range(limit):
        if before_each:
            before_each()
        outcomes.append(execution.run(action_id))
        state = db.session.get(Action, action_id, populate_existing=True).state
        if state not in ("queued", "running") or outcomes[-1].startswith("skipped"):
            break
    return outcomes


def refund_credits(order_id: int) -> list[LedgerEntry]:
    return list(db.session.scalars(select(LedgerEntry).where(LedgerEntry.order_id == order_id,
                                                             LedgerEntry.kind == "refund_credit")))


def assert_ledger_invariant() -> None:
    """Each wallet's balance is exactly the sum of its entries, and each order's `refunded` is the
    sum of its refund credits and never more than its charge."""
    db.session.expire_all()
    for customer_id, total in db.session.execute(
            select(LedgerEntry.customer_id, func.sum(LedgerEntry.amount)).group_by(LedgerEntry.customer_id)):
        entries = db.session.scalars(select(LedgerEntry.amount).where(LedgerEntry.customer_id == customer_id))
        assert wallet.balance(customer_id) == sum(entries, Decimal("0")) == Decimal(total)
    for order in db.session.scalars(select(Order)):
        credited = sum((e.amount for e in refund_credits(order.id)), Decimal("0"))
        assert order.refunded == credited, order
        assert order.refunded <= order.charge, order
