"""Building the EmailMessage for an outbox row: threading headers, ticket reference, loop guards.

Header values are stripped of CR, LF and other control characters before they reach
`EmailMessage` (an inbound subject such as "hi\nBcc: x" must never become a header),
and automatic notices say `Auto-Submitted: auto-replied` (RFC 3834) so well-behaved
autoresponders stay quiet.
"""
from __future__ import annotations

import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate

from flask import current_app, render_template
from sqlalchemy import select

from app.extensions import db
from app.mail.models import OutgoingEmail

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
MAX_REFERENCES = 20
NOTICE_SUBJECTS = {
    "ticket_received": "We received your request",
    "credit_made": "Refund credited to your balance",
    "refill_requested": "Refill requested",
    "ticket_resolved": "Your ticket is resolved",
    "unknown_sender": "We could not open a ticket for this email",
}
ACCOUNT_SUBJECTS = {"password_reset": "Set your password", "confirm_email": "Confirm your email address"}
_RE_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|sv|antw)\s*:\s*)+", re.I)


def clean_header(value: str, limit: int = 200) -> str:
    return _CONTROL.sub(" ", value or "").strip()[:limit]


def subject_for(row: OutgoingEmail) -> str:
    ticket = row.ticket
    if ticket is None:
        return NOTICE_SUBJECTS.get(row.template) or ACCOUNT_SUBJECTS[row.template]
    base = _RE_PREFIX.sub("", clean_header(ticket.subject))
    base = re.sub(r"\s*\[#\d+\]\s*", " ", base).strip()
    if row.kind == "reply":
        return clean_header(f"Re: [#{ticket.id}] {base}")
    return clean_header(f"[#{ticket.id}] {NOTICE_SUBJECTS.get(row.template, 'Update')}: {base}")


def thread_ids(ticket_id: int, before_id: int) -> list[str]:
    """Message-IDs of this ticket's thread, oldest first: the customer's emails and our sent ones."""
    from app.intake.models import IntakeMessage

    inbound = db.session.execute(
        select(IntakeMessage.created_at, IntakeMessage.message_id).where(
            IntakeMessage.ticket_id == ticket_id, IntakeMessage.outcome.in_(("ticket", "reply")),
            IntakeMessage.message_id.is_not(None))
    ).all()
    outbound = db.session.execute(
        select(OutgoingEmail.created_at, OutgoingEmail.message_id).where(
            OutgoingEmail.ticket_id == ticket_id, OutgoingEmail.id < before_id, OutgoingEmail.state == "sent")
    ).all()
    ordered = [mid for _, mid in sorted(inbound + outbound, key=lambda r: r[0])]
    if len(ordered) > MAX_REFERENCES:  # keep the root, then the most recent
        ordered = ordered[:1] + ordered[-(MAX_REFERENCES - 1):]
    return ordered


def build(row: OutgoingEmail) -> EmailMessage:
    config = current_app.config
    msg = EmailMessage()
    msg["From"] = Address(clean_header(config["MAIL_FROM_NAME"]), addr_spec=config["MAIL_FROM"])
    msg["To"] = clean_header(row.to_address, 254)
    msg["Subject"] = subject_for(row)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = row.message_id
    if row.ticket_id is not None:
        refs = thread_ids(row.ticket_id, row.id)
        if refs:
            msg["In-Reply-To"] = refs[-1]
            msg["References"] = " ".join(refs)
    context = row.context or {}
    if row.kind == "notice":
        msg["Auto-Submitted"] = "auto-replied"
        msg["X-Auto-Response-Suppress"] = "All"
    elif row.kind == "account":  # asked for on the website, not a reply to an email (RFC 3834)
        msg["Auto-Submitted"] = "auto-generated"
        msg["X-Auto-Response-Suppress"] = "All"
        from app.auth.reset import account_email_context

        context = {**context, **account_email_context(row)}  # secrets made now, never stored
    body = render_template(
        f"email/{row.template}.txt", ticket=row.ticket, message=row.desk_message, context=context,
        portal_url=config.get("MAIL_PORTAL_URL") or "",
    )
    msg.set_content(body)
    return msg
