"""Read-only ticket queries: the agents' queue and what a customer may see."""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, or_, select, tuple_
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.errors import NotFound, ValidationError
from app.extensions import db
from app.orders.models import Order
from app.reports.signals import SIGNALS, signal_ticket_ids
from app.tickets.models import ACTIVE_STATUSES, Ticket, ticket_orders
from app.security import is_row_id
from app.triage.models import Verdict


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filters, as read from a query string or the API."""

    status: str | None = None  # None: the active statuses; "all": every status
    kind: str | None = None
    assignee: str | None = None  # "me", "unassigned" or a user id
    order_id: str | None = None
    customer_email: str | None = None
    breached: bool = False
    decision: str | None = None
    signal: str | None = None  # an abuse signal name from app.reports.signals.SIGNALS
    cursor: str | None = None

    @classmethod
    def from_args(cls, args) -> "QueueFilter":
        def text(name):
            value = (args.get(name) or "").strip()
            return value or None

        return cls(
            status=text("status"), kind=text("kind"), assignee=text("assignee"),
            order_id=text("order_id"), customer_email=text("customer"),
            breached=args.get("breached") in ("1", "true", "on", "yes"), cursor=text("cursor"),
            decision=text("decision"), signal=text("signal") if text("signal") in SIGNALS else None,
        )

    def as_args(self) -> dict:
        """The filter as query-string arguments (without the cursor), for links."""
        args = {"status": self.status, "kind": self.kind, "assignee": self.assignee,
                "order_id": self.order_id, "customer": self.customer_email,
                "breached": "1" if self.breached else None, "decision": self.decision, "signal": self.signal}
        return {k: v for k, v in args.items() if v}


MAX_ROW_ID = 2**63 - 1


def encode_cursor(ticket: Ticket) -> str:
    raw = json.dumps([ticket.resolution_due_at.isoformat(), ticket.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        due, ticket_id = json.loads(raw)
        if not 0 <= int(ticket_id) <= MAX_ROW_ID:
            raise ValueError("ticket id out of range")
        return datetime.fromisoformat(due), int(ticket_id)
    except (ValueError, TypeError, OverflowError, binascii.Error, json.JSONDecodeError):
        raise ValidationError("The cursor is not valid; start from the first page.", field="cursor") from None


def _filtered(query, flt: QueueFilter, viewer, now: datetime):
    if flt.status == "all":
        pass
    elif flt.status:
        query = query.where(Ticket.status == flt.status)
    else:
        query = query.where(Ticket.status.in_(ACTIVE_STATUSES))
    if flt.kind:
        query = query.where(Ticket.kind == flt.kind)
    if flt.assignee == "me":
        query = query.where(Ticket.assignee_id == viewer.id)
    elif flt.assignee == "unassigned":
        query = query.where(Ticket.assignee_id.is_(None))
    elif flt.assignee and is_row_id(flt.assignee):
        query = query.where(Ticket.assignee_id == int(flt.assignee))
    if flt.order_id:
        order_ticket_ids = (
            select(ticket_orders.c.ticket_id)
            .join(Order, Order.id == ticket_orders.c.order_id)
            .where(Order.panel_id == flt.order_id.strip().upper())
        )
        query = query.where(Ticket.id.in_(order_ticket_ids))
    if flt.customer_email:
        customer_ids = select(User.id).where(User.email == flt.customer_email.strip().lower())
        query = query.where(Ticket.customer_id.in_(customer_ids))
    if flt.decision:
        query = query.where(Ticket.id.in_(select(Verdict.ticket_id).where(Verdict.decision == flt.decision)))
    if flt.signal:
        query = query.where(Ticket.id.in_(signal_ticket_ids(flt.signal, now)))
    if flt.breached:
        query = query.where(
            Ticket.status.in_(ACTIVE_STATUSES),
            or_(Ticket.resolution_due_at < now,
                and_(Ticket.first_responded_at.is_(None), Ticket.first_response_due_at < now)),
        )
    return query


def queue_page(flt: QueueFilter, viewer, now: datetime, page_size: int) -> tuple[list[Ticket], str | None]:
    """One page of the queue, soonest SLA first, and the cursor of the next page (keyset pagination).

    A customer's filters stop at their own tickets' fields: the assignee, customer and
    abuse-signal filters are agents' tools, and a signal is computed from other customers' data.
    """
    if not viewer.is_agent:
        flt = replace(flt, assignee=None, customer_email=None, signal=None)
    query = _filtered(select(Ticket), flt, viewer, now)
    if not viewer.is_agent:
        query = query.where(Ticket.customer_id == viewer.id)
    if flt.cursor:
        due, last_id = decode_cursor(flt.cursor)
        query = query.where(tuple_(Ticket.resolution_due_at, Ticket.id) > tuple_(due, last_id))
    query = (
        query.order_by(Ticket.resolution_due_at, Ticket.id)
        .limit(page_size + 1)
        .options(selectinload(Ticket.orders), selectinload(Ticket.customer), selectinload(Ticket.assignee),
                 selectinload(Ticket.verdicts))
    )
    tickets = list(db.session.scalars(query))
    has_more = len(tickets) > page_size
    tickets = tickets[:page_size]
    return tickets, encode_cursor(tickets[-1]) if has_more and tickets else None


def customer_tickets(customer) -> list[Ticket]:
    query = (
        select(Ticket).where(Ticket.customer_id == customer.id)
        .order_by(Ticket.updated_at.desc(), Ticket.id.desc())
        .options(selectinload(Ticket.orders))
    )
    return list(db.session.scalars(query))


def ticket_for(user, ticket_id: int) -> Ticket:
    """The ticket if `user` may see it; NotFound for anyone else, so existence is not revealed."""
    query = select(Ticket).where(Ticket.id == ticket_id)
    if not user.is_agent:
        query = query.where(Ticket.customer_id == user.id)
    ticket = db.session.scalar(query)
    if ticket is None:
        raise NotFound("No such ticket.")
    return ticket


def visible_messages(ticket: Ticket, user):
    return [m for m in ticket.messages if user.is_agent or not m.is_internal]


def visible_attachments(ticket: Ticket, user):
    return [a for a in ticket.attachments if user.is_agent or not (a.message and a.message.is_internal)]


def agents() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role.in_(("agent", "admin"))).order_by(User.name)))
