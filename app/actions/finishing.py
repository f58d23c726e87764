"""After an action finishes: tell the customer on the ticket, notify by email, resolve the ticket.

Runs as its own job, queued after the money transaction commits, so a template or mail
problem can never roll a credit back. It is idempotent: each (action, event) is written
once, remembered as an audit event on the ticket, and `notify_customer` dedupes too.
"""
from __future__ import annotations

import logging

from sqlalchemy import select, update

from app.actions.models import Action, ActionKind, ActionState
from app.db import format_money, utcnow
from app.extensions import db
from app.mail.outbox import notify_customer
from app.tickets.audit import record
from app.tickets.models import ACTIVE_STATUSES, Message, Ticket

log = logging.getLogger(__name__)


def finish_action(action_id: int) -> str:
    action = db.session.get(Action, action_id)
    if action is None or action.ticket_id is None:
        return "no ticket"
    event = _event_for(action)
    if event is None:
        return "nothing to say"
    # lock the ticket row (a no-op UPDATE works on SQLite too) so two finish jobs cannot both write
    db.session.execute(update(Ticket).where(Ticket.id == action.ticket_id).values(id=Ticket.id))
    ticket = db.session.get(Ticket, action.ticket_id, populate_existing=True)
    if any(e.action == "action_finished" and (e.after or {}).get("key") == f"{action.id}:{event}"
           for e in ticket.events):
        db.session.rollback()
        return "already told"
    text, notice = _describe(action, event)
    db.session.add(Message(ticket=ticket, author_id=None, body=text, is_internal=False, source="web"))
    record(ticket, None, "action_finished", after={"key": f"{action.id}:{event}", "kind": action.kind})
    notify_finished(action, notice)
    resolved = _resolve_if_all_done(ticket)
    db.session.commit()
    return "resolved" if resolved else event


def _event_for(action: Action) -> str | None:
    if action.state == ActionState.DONE.value:
        return "done"
    if action.kind == ActionKind.PROVIDER_REFILL.value and action.state == ActionState.RUNNING.value \
            and action.provider_ref:
        return "refill_requested"
    return None


def _describe(action: Action, event: str) -> tuple[str, str | None]:
    order = action.order.panel_id if action.order else "your payment"
    if event == "refill_requested":
        return f"We asked the provider to refill order {order} (refill {action.provider_ref}).", "refill_requested"
    if action.kind == ActionKind.CREDIT.value:
        entry = _entry_of(action)
        if entry is None:
            return f"Order {order} had already been credited back to your wallet.", None
        return (f"We credited {format_money(entry.amount)} {entry.currency} to your wallet for order {order}.",
                "credit_made")
    if action.kind == ActionKind.PROVIDER_REFILL.value:
        return f"The provider has completed the refill of order {order}.", None
    return f"The provider has cancelled order {order}; the refund follows in your wallet.", None


def _entry_of(action: Action):
    from app.wallet.models import LedgerEntry

    return db.session.scalar(select(LedgerEntry).where(LedgerEntry.action_id == action.id))


def notify_finished(action: Action, notice: str | None) -> None:
    """Email the customer through the mail outbox.

    It only writes an outbox row in this (non-money) transaction; the email is sent by its
    own job after commit. Keyed by the action, so a re-run never emails twice.
    """
    if notice is None:
        return
    entry = _entry_of(action) if action.kind == ActionKind.CREDIT.value else None
    notify_customer(action.ticket_id, notice, action_id=action.id,
                    order_id=action.order.panel_id if action.order else None,
                    amount=format_money(entry.amount) if entry else None,
                    refill_id=action.provider_ref if notice == "refill_requested" else None)


def _resolve_if_all_done(ticket: Ticket) -> bool:
    """Resolve once every action of the ticket is done (a refill still running keeps it open)."""
    from app.tickets.services import change_status

    if ticket.status not in ACTIVE_STATUSES:
        return False
    states = db.session.scalars(select(Action.state).where(Action.ticket_id == ticket.id)).all()
    if not states or any(state != ActionState.DONE.value for state in states):
        return False
    change_status(ticket, None, "resolved")
    ticket.updated_at = utcnow()
    return True
