"""Putting emails in the outbox, in the caller's transaction, and handing them to a worker after commit.

Two ways in:
- automatically, from a `before_flush` hook: a new public message by an agent becomes a
  reply email, a new ticket a "ticket received" notice, a status change to resolved a
  "ticket resolved" notice. Ticket services stay unaware of email.
- explicitly, `notify_customer(ticket_id, notice, **context)`, for the money workers
  (credit made, refill requested).
- `email_account(user, template)`, for account emails that are about no ticket (a
  password-reset link). Secrets such as the link are never stored in the outbox row:
  compose asks `app.auth.reset.account_email_context` for them at send time.
Either way the OutgoingEmail row commits or rolls back with its cause, and the send job
is enqueued only from `after_commit`; the job re-reads the row, so a job for a rolled
back row finds nothing and does nothing.
"""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
from email.utils import make_msgid

from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.extensions import db
from app.mail.models import OutgoingEmail
from app.tickets.models import AuditEvent, Message, Ticket

log = logging.getLogger(__name__)

NOTICES = ("ticket_received", "credit_made", "refill_requested", "ticket_resolved", "unknown_sender")
_PENDING = "desk_outbox_pending"
_READY = "desk_outbox_ready"


def mail_enabled() -> bool:
    return has_app_context() and bool(current_app.config.get("MAIL_SERVER"))


def new_message_id() -> str:
    return make_msgid(domain=current_app.config["MAIL_DOMAIN"])


def _queue(session: Session, row: OutgoingEmail) -> OutgoingEmail:
    session.add(row)
    session.info.setdefault(_PENDING, []).append(row)
    return row


def _row(session, *, ticket: Ticket | None, to: str, kind: str, template: str, context: dict,
         key: str | None = None, message: Message | None = None) -> OutgoingEmail:
    return _queue(session, OutgoingEmail(
        message_id=new_message_id(), dedupe_key=key or "auto:" + secrets.token_hex(16), ticket=ticket,
        desk_message=message, kind=kind, template=template, context=context, to_address=to,
    ))


def notify_customer(ticket_id: int, notice: str, **context) -> OutgoingEmail | None:
    """Queue an automatic notice to the ticket's customer; it is sent after the caller commits.

    Idempotent: the same (ticket, notice, context) queues one email however often a retried
    job calls it, so pass something that identifies the event (e.g. `action_id=...`).
    Context values must be JSON-serialisable (Decimals are turned into strings).
    """
    if notice not in NOTICES:
        raise ValueError(f"unknown notice {notice!r}; one of {', '.join(NOTICES)}")
    if not mail_enabled() or notice not in current_app.config["MAIL_NOTICES"]:
        return None
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        return None
    context = json.loads(json.dumps(context, default=str))
    key = "notice:" + hashlib.sha256(json.dumps([ticket_id, notice, context], sort_keys=True).encode()).hexdigest()[:64]
    existing = db.session.scalar(select(OutgoingEmail).where(OutgoingEmail.dedupe_key == key))
    if existing is not None:
        return existing
    row = _row(db.session, ticket=ticket, to=ticket.customer.email, kind="notice", template=notice,
               context=context, key=key)
    db.session.flush()
    return row


def notify_address(address: str, notice: str, **context) -> OutgoingEmail | None:
    """A notice to someone without a ticket (the polite refusal to an unknown sender)."""
    if not mail_enabled() or notice not in current_app.config["MAIL_NOTICES"]:
        return None
    context = json.loads(json.dumps(context, default=str))
    row = _row(db.session, ticket=None, to=address, kind="notice", template=notice, context=context)
    db.session.flush()
    return row


ACCOUNT_EMAILS = ("password_reset", "confirm_email")


def email_account(user: User, template: str) -> OutgoingEmail | None:
    """Queue an account email to `user` (not about a ticket); it is sent after the caller commits.

    Not switchable in MAIL_NOTICES: the person asked for it. The row stores only the user id;
    anything secret is added when the email is built, so a read of the outbox reveals no link.
    """
    if template not in ACCOUNT_EMAILS:
        raise ValueError(f"unknown account email {template!r}; one of {', '.join(ACCOUNT_EMAILS)}")
    if not mail_enabled():
        log.warning("account email %r for user %s not queued: MAIL_SERVER is not set", template, user.id)
        return None
    row = _row(db.session, ticket=None, to=user.email, kind="account", template=template,
               context={"user_id": user.id})
    db.session.flush()
    return row


def _customer_of(session, ticket: Ticket) -> User | None:
    return ticket.customer if ticket.customer is not None else session.get(User, ticket.customer_id)


def _author_is_agent(session, message: Message) -> bool:
    author = message.author or (session.get(User, message.author_id) if message.author_id else None)
    return bool(author and author.is_agent)


@event.listens_for(Session, "before_flush")
def _outbox_from_changes(session, flush_context, instances) -> None:
    """Turn new agent replies and ticket events into outbox rows, inside the same flush."""
    if not mail_enabled():
        return
    notices = current_app.config["MAIL_NOTICES"]
    with session.no_autoflush:
        for obj in list(session.new):
            if isinstance(obj, Message) and not obj.is_internal and obj.ticket is not None:
                if _author_is_agent(session, obj):
                    customer = _customer_of(session, obj.ticket)
                    _row(session, ticket=obj.ticket, to=customer.email, kind="reply", template="agent_reply",
                         context={}, message=obj)
            elif isinstance(obj, AuditEvent) and obj.ticket is not None:
                notice = _notice_for(obj)
                if notice and notice in notices:
                    customer = _customer_of(session, obj.ticket)
                    _row(session, ticket=obj.ticket, to=customer.email, kind="notice", template=notice, context={})


def _notice_for(audit: AuditEvent) -> str | None:
    if audit.action == "created":
        return "ticket_received"
    if audit.action == "status_changed" and (audit.after or {}).get("status") == "resolved":
        return "ticket_resolved"
    return None


@event.listens_for(Session, "after_flush")
def _remember_ids(session, flush_context) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info.setdefault(_READY, []).extend(row.id for row in pending if row.id is not None)


@event.listens_for(Session, "after_commit")
def _enqueue_after_commit(session) -> None:
    ids = session.info.pop(_READY, None)
    session.info.pop(_PENDING, None)
    if not ids or not has_app_context():
        return
    from workers.mail import enqueue_send

    for outgoing_id in ids:
        try:
            enqueue_send(outgoing_id)
        except Exception:  # Redis down: the row stays queued; `flask mail resend` picks it up
            log.exception("could not enqueue outgoing email %s", outgoing_id)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session, previous_transaction) -> None:
    """Forget the emails of a rolled-back transaction, but not of a rolled-back savepoint."""
    if previous_transaction.parent is None:
        session.info.pop(_READY, None)
        session.info.pop(_PENDING, None)
