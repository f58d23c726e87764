"""Abuse signals for one ticket (the ticket page) and as queue filters (SELECTs of ticket ids).

- refund history: the customer's orders and charges against refund_credit ledger entries
  (lifetime rate), and a *repeat refunder* flag: REPEAT_REFUNDS or more distinct orders refunded
  in the last REPEAT_DAYS days;
- chargeback / suspension: the User flags the policies also read;
- duplicate claim: another active ticket names one of this ticket's orders;
- overlap: another order on the same link whose active period overlapped (the same rule as
  app.triage.mapping.overlapping_orders, which the policies use to refuse refunds);
- reused screenshot: see app.reports.screenshots.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from app.auth.models import User
from app.db import UTCDateTime
from app.extensions import db
from app.orders.models import Order
from app.reports import screenshots
from app.reports.periods import ratio
from app.tickets.models import ACTIVE_STATUSES, Attachment, Ticket, ticket_orders
from app.triage.mapping import FINAL_STATUSES, overlapping
from app.wallet.models import LedgerEntry

REPEAT_REFUNDS = 3
REPEAT_DAYS = 90
SIGNALS = {
    "reused_screenshot": "Reused screenshot",
    "overlap": "Overlapping orders on the link",
    "repeat_refunder": "Repeat refunder",
    "duplicate_claim": "Order in another open ticket",
    "chargeback": "Chargeback or suspended",
}


@dataclass
class RefundHistory:
    orders: int
    charged: Decimal
    refunded_orders: int
    refunded: Decimal
    recent_refunded_orders: int

    @property
    def rate(self):
        return ratio(self.refunded, self.charged)

    @property
    def is_repeat(self) -> bool:
        return self.recent_refunded_orders >= REPEAT_REFUNDS


@dataclass
class TicketSignals:
    history: RefundHistory
    chargeback: bool
    suspended: bool
    duplicate_claims: list[tuple[Order, Ticket]] = field(default_factory=list)
    overlaps: list[tuple[Order, Order]] = field(default_factory=list)
    reused: list[tuple[Attachment, Attachment, int]] = field(default_factory=list)

    @property
    def active(self) -> list[str]:
        """The signal names that fire, in SIGNALS order (badges and tests)."""
        fired = {"reused_screenshot": self.reused, "overlap": self.overlaps,
                 "repeat_refunder": self.history.is_repeat, "duplicate_claim": self.duplicate_claims,
                 "chargeback": self.chargeback or self.suspended}
        return [name for name in SIGNALS if fired[name]]

    @property
    def labelled(self) -> list[tuple[str, str]]:
        return [(name, SIGNALS[name]) for name in self.active]


def refund_history(customer_id: int, now: datetime) -> RefundHistory:
    orders, charged = db.session.execute(
        select(func.count(Order.id), func.coalesce(func.sum(Order.charge), 0)).where(Order.customer_id == customer_id)
    ).one()
    refunds = (select(func.count(LedgerEntry.order_id.distinct()), func.coalesce(func.sum(LedgerEntry.amount), 0))
               .where(LedgerEntry.customer_id == customer_id, LedgerEntry.kind == "refund_credit",
                      LedgerEntry.order_id.is_not(None)))
    refunded_orders, refunded = db.session.execute(refunds).one()
    recent = db.session.scalar(select(func.count(LedgerEntry.order_id.distinct())).where(
        LedgerEntry.customer_id == customer_id, LedgerEntry.kind == "refund_credit",
        LedgerEntry.created_at >= now - timedelta(days=REPEAT_DAYS)))
    return RefundHistory(orders, Decimal(charged), refunded_orders, Decimal(refunded), recent)


def duplicate_claims(ticket: Ticket) -> list[tuple[Order, Ticket]]:
    """(order, other active ticket) for each of this ticket's orders named elsewhere."""
    order_ids = [o.id for o in ticket.orders]
    if not order_ids:
        return []
    query = (select(ticket_orders.c.order_id, Ticket).join(Ticket, Ticket.id == ticket_orders.c.ticket_id)
             .where(ticket_orders.c.order_id.in_(order_ids), Ticket.id != ticket.id,
                    Ticket.status.in_(ACTIVE_STATUSES)).order_by(Ticket.id))
    orders = {o.id: o for o in ticket.orders}
    return [(orders[order_id], other) for order_id, other in db.session.execute(query)]


def ticket_signals(ticket: Ticket, now: datetime) -> TicketSignals:
    """Everything the ticket page's signals panel shows, in a handful of indexed queries."""
    customer = ticket.customer
    return TicketSignals(
        history=refund_history(customer.id, now),
        chargeback=customer.has_chargeback, suspended=customer.is_suspended,
        duplicate_claims=duplicate_claims(ticket),
        overlaps=[(order, other) for order in ticket.orders for other in overlapping(order, now)],
        reused=screenshots.matches_for_ticket(ticket.id),
    )


def _until_sql(order, now: datetime):
    # Typed bind: a bare aware datetime would reach PostgreSQL as timestamptz and shift by the session zone.
    return case((order.status.in_(FINAL_STATUSES), order.status_changed_at), else_=literal(now, UTCDateTime()))


def _overlap_ids(now: datetime):
    other = aliased(Order)
    return (select(ticket_orders.c.ticket_id).join(Order, Order.id == ticket_orders.c.order_id)
            .join(other, and_(other.link == Order.link, other.id != Order.id))
            .where(other.created_at < _until_sql(Order, now), Order.created_at < _until_sql(other, now)))


def _duplicate_ids():
    mine, theirs, other_ticket = aliased(ticket_orders), aliased(ticket_orders), aliased(Ticket)
    return (select(mine.c.ticket_id)
            .join(theirs, and_(theirs.c.order_id == mine.c.order_id, theirs.c.ticket_id != mine.c.ticket_id))
            .join(other_ticket, other_ticket.id == theirs.c.ticket_id)
            .where(other_ticket.status.in_(ACTIVE_STATUSES)))


def _repeat_ids(now: datetime):
    refunders = (select(LedgerEntry.customer_id)
                 .where(LedgerEntry.kind == "refund_credit", LedgerEntry.created_at >= now - timedelta(days=REPEAT_DAYS))
                 .group_by(LedgerEntry.customer_id)
                 .having(func.count(LedgerEntry.order_id.distinct()) >= REPEAT_REFUNDS))
    return select(Ticket.id).where(Ticket.customer_id.in_(refunders))


def _chargeback_ids():
    flagged = select(User.id).where(or_(User.has_chargeback.is_(True), User.is_suspended.is_(True)))
    return select(Ticket.id).where(Ticket.customer_id.in_(flagged))


def signal_ticket_ids(signal: str, now: datetime):
    """A SELECT of the ids of tickets where `signal` fires, for `Ticket.id.in_(...)`."""
    builders = {"reused_screenshot": screenshots.tickets_with_reuse, "overlap": lambda: _overlap_ids(now),
                "repeat_refunder": lambda: _repeat_ids(now), "duplicate_claim": _duplicate_ids,
                "chargeback": _chargeback_ids}
    return builders[signal]()
