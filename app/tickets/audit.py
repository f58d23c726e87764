"""The audit trail: every change to a ticket is a row saying who, what, when, before and after."""
from __future__ import annotations

from app.db import utcnow
from app.tickets.models import AuditEvent, Ticket


def record(ticket: Ticket, actor, action: str, before: dict | None = None, after: dict | None = None) -> None:
    """Append one audit event; `actor` None means the desk itself did it."""
    ticket.events.append(
        AuditEvent(actor_id=actor.id if actor else None, action=action, before=before, after=after)
    )
    ticket.updated_at = utcnow()
