"""RQ job that sends one outbox email over SMTP, with retries.

The job takes only the row id and re-reads everything: a row that was rolled back,
already sent or suppressed is skipped, so enqueuing twice or retrying is harmless.
A per-ticket cap stops mail loops with autoresponders that set none of the RFC 3834
headers (the suppressed row records why).
"""
from __future__ import annotations

import smtplib
import ssl
from datetime import timedelta

from flask import current_app
from rq import Retry
from sqlalchemy import func, select

from app.db import utcnow
from app.extensions import db
from app.mail.compose import build
from app.mail.models import OutgoingEmail
from workers.queues import queue

RETRY_INTERVALS = [10, 60, 300, 900, 3600]


def enqueue_send(outgoing_id: int, app=None) -> None:
    queue("notifications", app).enqueue(
        send_outgoing, outgoing_id, job_id=f"mail-{outgoing_id}",
        retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS), job_timeout=120,
    )


def _over_ticket_cap(row: OutgoingEmail) -> bool:
    if row.ticket_id is None:
        return False
    limit, minutes = current_app.config["MAIL_TICKET_LIMIT"]
    since = utcnow() - timedelta(minutes=minutes)
    sent = db.session.scalar(select(func.count(OutgoingEmail.id)).where(
        OutgoingEmail.ticket_id == row.ticket_id, OutgoingEmail.state == "sent", OutgoingEmail.sent_at >= since))
    return (sent or 0) >= limit


def send_outgoing(outgoing_id: int) -> str:
    row = db.session.get(OutgoingEmail, outgoing_id)
    if row is None or row.state in ("sent", "suppressed"):
        return row.state if row else "missing"
    if _over_ticket_cap(row):
        row.state, row.last_error = "suppressed", "too many emails on this ticket recently (loop guard)"
        db.session.commit()
        return row.state
    row.attempts += 1
    message = build(row)
    row.subject = str(message["Subject"])
    try:
        deliver(message)
    except Exception as error:
        row.last_error = f"{type(error).__name__}: {error}"[:500]
        db.session.commit()
        raise
    row.state, row.sent_at, row.last_error = "sent", utcnow(), None
    db.session.commit()
    return row.state


def deliver(message) -> None:
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message, from_addr=config["MAIL_FROM"], to_addrs=[str(message["To"])])


def resend_queued(app=None, older_than: timedelta = timedelta(0)) -> int:
    """Enqueue every row still queued (after a Redis outage lost the jobs); returns how many."""
    ids = db.session.scalars(select(OutgoingEmail.id).where(
        OutgoingEmail.state == "queued", OutgoingEmail.created_at <= utcnow() - older_than)).all()
    for outgoing_id in ids:
        enqueue_send(outgoing_id, app)
    return len(ids)


def resend_stale() -> int:
    """The scheduler's sweep: re-queue emails queued over ten minutes ago whose job Redis lost."""
    return resend_queued(older_than=timedelta(minutes=10))
