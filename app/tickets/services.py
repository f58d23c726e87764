"""Everything that changes a ticket. Each change writes an audit event; callers commit."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import current_app

from app.attachments.services import Upload, attach, check_uploads
from app.db import utcnow
from app.errors import Conflict, Forbidden, ValidationError
from app.extensions import db
from app.orders.services import orders_of_customer, parse_order_ids
from app.tickets.audit import record
from app.tickets.models import KINDS, PRIORITIES, REASONS, STATUS_LABELS, Message, Ticket
from app.triage.services import compute_verdicts

ORDER_KINDS = ("refund", "refill", "cancel")
MAX_BODY = 20_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str | None, limit: int) -> str:
    """Plain text as stored: no control characters, Unix newlines, bounded; escaped when shown."""
    text = _CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    return text.strip()[:limit]


def sla_due(priority: str, start: datetime) -> tuple[datetime, datetime]:
    first, resolution = current_app.config["SLA_HOURS"][priority]
    return start + timedelta(hours=first), start + timedelta(hours=resolution)


def _check_choice(value: str, allowed, field: str, what: str) -> str:
    if value not in allowed:
        raise ValidationError(f"Choose a {what} from the list.", field=field)
    return value


def open_ticket(
    customer,
    *,
    kind: str,
    reason: str,
    subject: str,
    body: str,
    order_ids: str | list[str] | None,
    uploads: list[Upload] = (),
    source: str = "web",
    actor=None,
) -> Ticket:
    """File a ticket for `customer`; every order must be theirs and every file a real image."""
    _check_choice(kind, KINDS, "kind", "ticket type")
    _check_choice(reason, REASONS, "reason", "reason")
    subject, body = clean_text(subject, 200), clean_text(body, MAX_BODY)
    if not subject:
        raise ValidationError("Give the ticket a subject.", field="subject")
    if not body:
        raise ValidationError("Describe the problem.", field="body")
    panel_ids = parse_order_ids(order_ids)
    if kind in ORDER_KINDS and not panel_ids:
        raise ValidationError(f"A {kind} ticket needs at least one order ID.", field="order_ids")
    orders = orders_of_customer(customer.id, panel_ids) if panel_ids else []
    checked = check_uploads(list(uploads))
    now = utcnow()
    first_due, resolution_due = sla_due("normal", now)
    ticket = Ticket(
        customer_id=customer.id, kind=kind, reason=reason, subject=subject, source=source,
        created_at=now, updated_at=now, first_response_due_at=first_due, resolution_due_at=resolution_due,
    )
    ticket.orders = orders
    db.session.add(ticket)
    message = Message(ticket=ticket, author_id=customer.id, body=body, source=source)
    db.session.add(message)
    db.session.flush()
    attach(ticket, message, customer.id, checked)
    record(ticket, actor or customer, "created", after={
        "kind": kind, "reason": reason, "source": source, "orders": [o.panel_id for o in orders],
    })
    compute_verdicts(ticket, now)
    return ticket


def add_message(ticket: Ticket, author, body: str, *, internal: bool = False,
                uploads: list[Upload] = (), source: str = "web") -> Message:
    """A reply or note. A customer's reply reopens the ticket; an agent's first reply stops the clock."""
    body = clean_text(body, MAX_BODY)
    if not body:
        raise ValidationError("Write a message first.", field="body")
    if internal and not author.is_agent:
        raise Forbidden("Only agents can write internal notes.")
    if ticket.status == "closed" and not author.is_agent:
        raise Conflict("This ticket is closed. Please open a new ticket.")
    checked = check_uploads(list(uploads))
    message = Message(ticket=ticket, author_id=author.id, body=body, is_internal=internal, source=source)
    db.session.add(message)
    db.session.flush()
    attach(ticket, message, author.id, checked)
    record(ticket, author, "note_added" if internal else "reply_added", after={"message_id": message.id})
    if not internal:
        _after_public_message(ticket, author)
    return message


def _after_public_message(ticket: Ticket, author) -> None:
    if author.is_agent:
        if ticket.first_responded_at is None:
            ticket.first_responded_at = utcnow()
        if ticket.status in ("new", "open"):
            change_status(ticket, author, "waiting")
    elif ticket.status in ("waiting", "resolved"):
        change_status(ticket, author, "open")


def change_status(ticket: Ticket, actor, status: str) -> None:
    _check_choice(status, STATUS_LABELS, "status", "status")
    if actor is not None and not actor.is_agent and status != "open":
        raise Forbidden("Customers cannot change a ticket's status.")
    if status == ticket.status:
        return
    before = ticket.status
    ticket.status = status
    if status == "resolved":
        ticket.resolved_at = utcnow()
    elif status in ("new", "open", "waiting"):
        ticket.resolved_at = None
    record(ticket, actor, "status_changed", before={"status": before}, after={"status": status})


def assign(ticket: Ticket, actor, assignee) -> None:
    """Give the ticket to an agent (or to nobody when `assignee` is None)."""
    if assignee is not None and not assignee.is_agent:
        raise ValidationError("Tickets can only be assigned to agents.", field="assignee")
    new_id = assignee.id if assignee else None
    if ticket.assignee_id == new_id:
        return
    before = {"assignee": ticket.assignee.email if ticket.assignee else None}
    ticket.assignee_id = new_id
    ticket.assignee = assignee
    record(ticket, actor, "assigned", before=before, after={"assignee": assignee.email if assignee else None})
    if ticket.status == "new":
        change_status(ticket, actor, "open")


def change_priority(ticket: Ticket, actor, priority: str) -> None:
    """New priority; the SLA due times are recomputed from when the ticket was filed."""
    _check_choice(priority, PRIORITIES, "priority", "priority")
    if priority == ticket.priority:
        return
    before = {"priority": ticket.priority}
    ticket.priority = priority
    ticket.first_response_due_at, ticket.resolution_due_at = sla_due(priority, ticket.created_at)
    record(ticket, actor, "priority_changed", before=before, after={"priority": priority})
