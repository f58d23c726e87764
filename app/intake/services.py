"""The one intake pipeline behind all three doors (IMAP, the POST endpoint, the CLI).

`ingest_raw` first commits the raw bytes with a unique dedupe key, so the caller may
acknowledge (flag the IMAP message, answer the webhook) knowing nothing can be lost;
then it decides the outcome in a second transaction. Any failure there leaves the row
quarantined with a reason, retryable by an admin. Email can open tickets and add
customer replies, nothing else: it never approves a verdict, moves money or acts as
an agent.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from app.attachments import storage
from app.attachments.services import Upload, check_uploads, display_name
from app.auth.models import Role
from app.auth.services import create_user, find_user_by_email
from app.db import utcnow
from app.errors import Conflict, DeskError
from app.extensions import db
from app.intake import matching
from app.intake.models import IntakeMessage
from app.intake.parsing import Limits, ParsedEmail, ParseRejected, Part, header_message_id
from app.intake.sandbox import parse_with_limit
from app.mail.models import OutgoingEmail
from app.mail.outbox import notify_address
from app.orders.models import Order
from app.tickets import services as tickets
from app.tickets.models import Attachment, Ticket

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
MAX_FILES = 20


@dataclass
class Result:
    source: str
    message_id: str | None
    outcome: str
    ticket: int | None
    reason: str
    intake_id: int | None = None

    def as_json(self) -> dict:
        data = asdict(self)
        data.pop("intake_id")
        return data


class Outcome(Exception):
    """Raised inside the pipeline to end it with `outcome` and `reason`."""

    def __init__(self, outcome: str, reason: str, ticket_id: int | None = None):
        super().__init__(reason)
        self.outcome, self.reason, self.ticket_id = outcome, reason, ticket_id


def dedupe_key(raw: bytes, fallback: str | None = None) -> tuple[str, str | None]:
    """`mid:` + hash of the Message-ID, else `raw:` + hash of the bytes (or the caller's fallback)."""
    message_id = header_message_id(raw)
    if message_id:
        return "mid:" + hashlib.sha256(message_id.encode()).hexdigest(), message_id
    if fallback:
        return fallback, None
    return "raw:" + hashlib.sha256(raw).hexdigest(), None


def _result(row: IntakeMessage, outcome: str | None = None, reason: str | None = None) -> Result:
    return Result(row.source, row.message_id, outcome or row.outcome, row.ticket_id,
                  row.reason if reason is None else reason, row.id)


def store_raw(raw: bytes, source: str, mailbox: str = "", *, fallback_key: str | None = None,
              size: int | None = None, reason: str = "received, not processed yet") -> tuple[IntakeMessage, bool]:
    """Commit the raw bytes; returns (row, is_new). An existing key returns the stored row."""
    key, message_id = dedupe_key(raw, fallback_key)
    existing = db.session.scalar(select(IntakeMessage).where(IntakeMessage.dedupe_key == key))
    if existing is not None:
        return existing, False
    row = IntakeMessage(dedupe_key=key, message_id=(message_id or "")[:255] or None, source=source,
                        mailbox=mailbox[:255], raw=raw, raw_size=size if size is not None else len(raw),
                        outcome="quarantined", reason=reason)
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:  # the same message arrived through another door at the same moment
        db.session.rollback()
        return db.session.scalar(select(IntakeMessage).where(IntakeMessage.dedupe_key == key)), False
    return row, True


def ingest_raw(raw: bytes, source: str, mailbox: str = "") -> Result:
    """Store, then decide. Always returns exactly one outcome; never raises for a bad message."""
    row, new = store_raw(raw, source, mailbox)
    if not new:
        return Result(source, row.message_id, "duplicate", row.ticket_id, f"already received as intake #{row.id}", row.id)
    return process(row.id)


def record_oversized(head: bytes, size: int, source: str, mailbox: str, fallback_key: str) -> Result:
    """A message too big to download: its header block is kept, the body stays on the server."""
    limit = current_app.config["INTAKE_MAX_BYTES"]
    reason = f"too large ({size} bytes, limit {limit}); only the headers were downloaded"
    row, new = store_raw(head, source, mailbox, fallback_key=fallback_key, size=size, reason=reason)
    if not new:
        return Result(source, row.message_id, "duplicate", row.ticket_id, f"already received as intake #{row.id}", row.id)
    return _result(row)


def retry(intake_id: int) -> Result:
    """Run a quarantined message through the pipeline again (after a fix, or a changed setting)."""
    row = db.session.get(IntakeMessage, intake_id)
    if row is None or row.outcome != "quarantined":
        raise Conflict("Only quarantined messages can be retried.")
    row.retries += 1
    db.session.commit()
    return process(row.id)


def process(intake_id: int) -> Result:
    row = db.session.get(IntakeMessage, intake_id)
    try:
        outcome = _decide(row)
        row.outcome, row.reason, row.ticket_id = outcome.outcome, outcome.reason[:255], outcome.ticket_id
    except DeskError as error:  # a service refused (e.g. a ticket rule): nothing half-made is kept
        db.session.rollback()
        row = db.session.get(IntakeMessage, intake_id)
        row.outcome, row.reason = "quarantined", f"refused: {error.message}"[:255]
    except Exception as error:  # a bug or an outage must not lose the message: keep it, quarantined
        db.session.rollback()
        current_app.logger.exception("intake message %s could not be processed", intake_id)
        row = db.session.get(IntakeMessage, intake_id)
        row.outcome, row.reason = "quarantined", f"processing failed ({type(error).__name__})"
    row.processed_at = utcnow()
    db.session.commit()
    return _result(row)


def _decide(row: IntakeMessage) -> Outcome:
    config = current_app.config
    raw = row.raw or b""
    if row.raw_size > len(raw) or row.raw_size > config["INTAKE_MAX_BYTES"]:
        return Outcome("quarantined", f"too large ({row.raw_size} bytes, limit {config['INTAKE_MAX_BYTES']})")
    limits = Limits(config["INTAKE_MAX_DEPTH"], config["INTAKE_MAX_PARTS"])
    try:
        parsed = parse_with_limit(raw, limits, config["INTAKE_PARSE_SECONDS"], config["INTAKE_PARSE_ISOLATED"])
    except ParseRejected as error:
        return Outcome("quarantined", f"cannot be read: {error}")
    row.sender, row.subject = parsed.sender[:254], tickets.clean_text(parsed.subject, 200)
    row.html_body = parsed.html[:1_000_000] if parsed.html else None
    try:
        return _route(row, parsed)
    except Outcome as outcome:
        return outcome


def _route(row: IntakeMessage, parsed: ParsedEmail) -> Outcome:
    config = current_app.config
    own = {a.lower() for a in config["INTAKE_OWN_ADDRESSES"]} | {config["MAIL_FROM"].lower()}
    automatic = matching.automatic_reason(parsed, own, config["MAIL_DOMAIN"])
    if automatic:
        return Outcome("ignored", automatic, _bounced_ticket(row.raw or b""))
    spoofed = matching.spoofing_reason(parsed)
    if spoofed:
        return Outcome("quarantined", spoofed)
    _check_rate(row, parsed.sender)
    customer = _known_customer(parsed)
    candidates = _named_tickets(row, parsed)
    own_tickets = [t for t in candidates if customer is not None and t.customer_id == customer.id]
    if not own_tickets and candidates:
        refs = ", ".join(f"#{t.id}" for t in candidates)
        return Outcome("quarantined", f"names ticket {refs} of another customer")
    if customer is None:
        customer = _new_customer(parsed)
    if own_tickets:
        try:
            return _reply(row, own_tickets[0], customer, parsed)
        except Conflict:  # closed: the customer's words open a fresh ticket instead
            pass
    return _new_ticket(row, customer, parsed, follow_up=own_tickets[0] if own_tickets else None)


def _check_rate(row: IntakeMessage, sender: str) -> None:
    count, seconds = current_app.config["INTAKE_SENDER_LIMIT"]
    since = utcnow() - timedelta(seconds=seconds)
    recent = db.session.scalar(select(func.count(IntakeMessage.id)).where(
        IntakeMessage.sender == sender, IntakeMessage.created_at >= since, IntakeMessage.id != row.id,
        IntakeMessage.outcome.in_(("ticket", "reply"))))
    if (recent or 0) >= count:
        raise Outcome("ignored", f"rate limited: more than {count} messages from this sender in {seconds} s")


def _known_customer(parsed: ParsedEmail):
    """The sender's account, or None; staff and disabled accounts end the pipeline."""
    user = find_user_by_email(parsed.sender)
    if user is not None:
        if user.is_agent:  # a From header proves nothing: email never acts as an agent
            raise Outcome("quarantined", "mail from a staff address is never acted on")
        if not user.is_active:
            raise Outcome("quarantined", "the sender's account is disabled")
        if user.password_hash and not user.email_verified:  # anyone can sign up with any address
            raise Outcome("quarantined", "the account for this address has not confirmed that it owns it")
    return user


def _new_customer(parsed: ParsedEmail):
    if current_app.config["INTAKE_UNKNOWN_SENDER"] != "create":
        notify_address(parsed.sender, "unknown_sender")
        raise Outcome("ignored", "unknown sender; a polite refusal was sent")
    name = tickets.clean_text(parsed.sender_name, 120) or parsed.sender.split("@")[0]
    return create_user(parsed.sender, None, name, Role.CUSTOMER)  # no password: claimed through an emailed link


def _named_tickets(row: IntakeMessage, parsed: ParsedEmail) -> list[Ticket]:
    """Tickets the message points at, nearest first: our Message-IDs, the customer's earlier ones, the subject."""
    ids: list[int] = []
    thread = matching.thread_message_ids(parsed)
    if thread:
        ours = db.session.execute(select(OutgoingEmail.message_id, OutgoingEmail.ticket_id).where(
            OutgoingEmail.message_id.in_(thread), OutgoingEmail.ticket_id.is_not(None))).all()
        theirs = db.session.execute(select(IntakeMessage.message_id, IntakeMessage.ticket_id).where(
            IntakeMessage.message_id.in_(thread), IntakeMessage.ticket_id.is_not(None),
            IntakeMessage.outcome.in_(("ticket", "reply")), IntakeMessage.id != row.id)).all()
        by_mid = {mid: tid for mid, tid in theirs + ours}
        ids += [by_mid[mid] for mid in thread if mid in by_mid]
    ids += matching.subject_ticket_ids(parsed.subject)
    unique = list(dict.fromkeys(ids))
    found = {t.id: t for t in db.session.scalars(select(Ticket).where(Ticket.id.in_(unique)))} if unique else {}
    return [found[i] for i in unique if i in found]


def _bounced_ticket(raw: bytes) -> int | None:
    """A bounce quoting one of our Message-IDs is linked to that ticket (not replied to, not reopened)."""
    domain = re.escape(current_app.config["MAIL_DOMAIN"].encode())
    mids = [m.decode("ascii", "replace") for m in re.findall(rb"<[^<>\s]{1,200}@" + domain + rb">", raw[:2_000_000])]
    if not mids:
        return None
    return db.session.scalar(select(OutgoingEmail.ticket_id).where(OutgoingEmail.message_id.in_(mids[:20])).limit(1))


def strip_quotes(text: str) -> str:
    from mailparser_reply import EmailReplyParser

    try:
        reply = EmailReplyParser(languages=current_app.config["INTAKE_REPLY_LANGUAGES"]).parse_reply(text=text)
    except Exception:
        reply = ""
    return (reply or "").strip() or text


def _split_parts(parts: list[Part]) -> tuple[list[Upload], list[Part]]:
    """Images that pass the web upload checks become screenshots; everything else is kept as a file."""
    images, files = [], []
    for part in parts:
        upload = Upload(part.filename, part.data)
        is_image = part.content_type in IMAGE_TYPES or part.filename.lower().endswith((".png", ".jpg", ".jpeg", ".gif", ".webp"))
        if is_image and len(images) < current_app.config["UPLOAD_MAX_FILES"]:
            try:
                check_uploads([upload])
                images.append(upload)
                continue
            except DeskError:
                pass
        if part.data and len(files) < MAX_FILES:
            files.append(part)
    return images, files


def _keep_files(ticket: Ticket, message, uploader_id: int, files: list[Part]) -> None:
    folder = current_app.config["UPLOAD_FOLDER"]
    for part in files:
        key = storage.new_key("bin")  # never .html/.svg: served as an octet-stream download
        storage.save(folder, key, part.data)
        db.session.add(Attachment(ticket=ticket, message=message, uploader_id=uploader_id, storage_key=key,
                                  original_name=display_name(part.filename), content_type="application/octet-stream",
                                  size=len(part.data)))


def _reply(row: IntakeMessage, ticket: Ticket, customer, parsed: ParsedEmail) -> Outcome:
    images, files = _split_parts(parsed.attachments)
    body = strip_quotes(parsed.text) or ("(attachments only)" if parsed.attachments else "(empty message)")
    message = tickets.add_message(ticket, customer, body, uploads=images, source="email")
    _keep_files(ticket, message, customer.id, files)
    row.desk_message_id = message.id
    return Outcome("reply", _notes(parsed), ticket.id)


def _new_ticket(row: IntakeMessage, customer, parsed: ParsedEmail, follow_up: Ticket | None) -> Outcome:
    config = current_app.config
    subject = tickets.clean_text(parsed.subject, 200) or "(no subject)"
    body = parsed.text.strip() or ("(attachments only)" if parsed.attachments else "(empty message)")
    if follow_up is not None:
        body = f"Follow-up to closed ticket #{follow_up.id}.\n\n{body}"
    kind, reason = matching.guess_kind_and_reason(subject, body)
    named = matching.order_ids_in(f"{subject}\n{body}", config["INTAKE_ORDER_PATTERN"])
    owned = db.session.scalars(select(Order.panel_id).where(
        Order.customer_id == customer.id, or_(*[Order.panel_id == pid for pid in named]))).all() if named else []
    owned = [pid for pid in named if pid in set(owned)]
    if kind in tickets.ORDER_KINDS and not owned:
        kind = "other"
    images, files = _split_parts(parsed.attachments)
    ticket = tickets.open_ticket(customer, kind=kind, reason=reason, subject=subject, body=body,
                                 order_ids=owned, uploads=images, source="email")
    _keep_files(ticket, ticket.messages[0], customer.id, files)
    row.desk_message_id = ticket.messages[0].id
    foreign = [pid for pid in named if pid not in owned]
    note = f"orders not on the account ignored: {', '.join(foreign)}" if foreign else ""
    return Outcome("ticket", "; ".join(filter(None, [note, _notes(parsed)])), ticket.id)


def _notes(parsed: ParsedEmail) -> str:
    return f"{parsed.dropped_parts} MIME parts over the limits were dropped" if parsed.dropped_parts else ""
