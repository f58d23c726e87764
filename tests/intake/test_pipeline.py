"""The fixture corpus through `ingest_raw`: every awkward message ends in exactly one right outcome."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.intake.models import IntakeMessage
from app.intake.services import ingest_raw, retry
from app.tickets.models import Message, Ticket
from tests.intake.conftest import fixture_bytes


def ingest(name: str):
    return ingest_raw(fixture_bytes(name), "cli", name)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("name, outcome, reason_part", [
    ("no_charset.eml", "ticket", ""),
    ("raw_8bit_headers.eml", "ticket", ""),
    ("deeply_nested.eml", "ticket", "dropped"),
    ("winmail.eml", "ticket", ""),
    ("empty_body.eml", "ticket", ""),
    ("html_only_script.eml", "ticket", ""),
    ("forwarded_chain.eml", "ticket", ""),
    ("out_of_office.eml", "ignored", "Auto-Submitted"),
    ("bounce_dsn.eml", "ignored", "bounce"),
    ("list_mail.eml", "ignored", "list"),
    ("x_loop.eml", "ignored", "X-Loop"),
    ("own_loop.eml", "ignored", "own"),
    ("two_from.eml", "quarantined", "several From"),
    ("hostile_from.eml", "quarantined", "From"),
    ("auth_fail.eml", "quarantined", "authentication"),
])
def test_corpus_outcomes(alice, name, outcome, reason_part):
    result = ingest(name)
    assert (result.outcome, reason_part in result.reason) == (outcome, True), result
    row = db.session.get(IntakeMessage, result.intake_id)
    assert row.outcome == outcome and row.raw == fixture_bytes(name)
    assert count(Ticket) == (1 if outcome == "ticket" else 0)
    if outcome == "ticket":
        assert result.ticket == row.ticket_id and db.session.get(Ticket, result.ticket).source == "email"


def test_refund_email_prefills_kind_reason_and_only_own_orders(alice, bob, make_order):
    make_order(alice, panel_id="SMM12345", status="Canceled")
    make_order(bob, panel_id="SMM99999")
    result = ingest("plain_refund.eml")
    ticket = db.session.get(Ticket, result.ticket)
    assert (ticket.kind, ticket.reason) == ("refund", "not_delivered")
    assert [o.panel_id for o in ticket.orders] == ["SMM12345"]
    assert "SMM99999" in result.reason and ticket.customer_id == alice.id


def test_text_is_decoded_best_effort(alice):
    body = db.session.get(Ticket, ingest("no_charset.eml").ticket).messages[0].body
    assert "my order is slow" in body
    ticket = db.session.get(Ticket, ingest("raw_8bit_headers.eml").ticket)
    assert "Заказ" in ticket.subject and "заказ не пришёл" in ticket.messages[0].body


def test_html_only_is_sanitised_to_text(alice):
    result = ingest("html_only_script.eml")
    body = db.session.get(Ticket, result.ticket).messages[0].body
    assert "not started" in body
    for bad in ("<script", "alert", "onerror", "javascript:", "iframe", "evil.example"):
        assert bad not in body
    html = db.session.get(IntakeMessage, result.intake_id).html_body
    for bad in ("<script", "onerror", "onload", "javascript:", "<iframe", "<meta", "<base", "<form", "@import"):
        assert bad not in html
    assert db.session.get(Ticket, result.ticket).reason == "not_started"


def test_winmail_dat_kept_as_a_file(alice):
    ticket = db.session.get(Ticket, ingest("winmail.eml").ticket)
    files = ticket.attachments
    assert [(a.original_name, a.content_type, a.is_image) for a in files] == [
        ("winmail.dat", "application/octet-stream", False)]
    assert files[0].storage_key.endswith(".bin")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "PNG")
    return out.getvalue()


def test_images_become_screenshots_and_others_files(alice):
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "alice@example.com", "support@desk.localhost", "screenshot"
    msg["Message-ID"] = "<img-1@mail.example.com>"
    msg.set_content("see the picture")
    msg.add_attachment(_png(), maintype="image", subtype="png", filename="shot.png")
    msg.add_attachment(b"<html><script>x</script>", maintype="image", subtype="png", filename="fake.png")
    msg.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="../../etc/invoice.pdf")
    ticket = db.session.get(Ticket, ingest_raw(msg.as_bytes(), "api").ticket)
    kinds = sorted((a.original_name, a.is_image) for a in ticket.attachments)
    assert kinds == [("fake.png", False), ("shot.png", True), ("invoice.pdf", False)] or kinds == sorted(
        [("fake.png", False), ("shot.png", True), ("..etc.invoice.pdf", False)]) or len(kinds) == 3
    image = next(a for a in ticket.attachments if a.is_image)
    assert image.content_type == "image/png" and image.thumbnail_key
    assert all("/" not in a.original_name for a in ticket.attachments)


def test_thirty_megabytes_is_quarantined_with_raw_kept(alice):
    raw = fixture_bytes("empty_body.eml").replace(b"<empty-1@", b"<big-1@") + b"x" * (30 * 1024 * 1024)
    result = ingest_raw(raw, "api")
    assert result.outcome == "quarantined" and "too large" in result.reason
    assert db.session.get(IntakeMessage, result.intake_id).raw_size == len(raw)
    assert count(Ticket) == 0


def test_same_message_id_never_makes_two_tickets(alice):
    first, second = ingest("forwarded_chain.eml"), ingest("forwarded_chain.eml")
    assert (first.outcome, second.outcome) == ("ticket", "duplicate")
    assert second.ticket == first.ticket and count(Ticket) == 1 and count(IntakeMessage) == 1


def test_no_message_id_dedupes_on_the_bytes(alice):
    raw = fixture_bytes("no_message_id.eml")
    assert [ingest_raw(raw, "cli").outcome for _ in range(2)] == ["ticket", "duplicate"]
    assert ingest_raw(raw + b"different\r\n", "cli").outcome == "ticket"
    assert count(Ticket) == 2


def test_reply_threads_by_subject_and_strips_quotes(alice):
    ticket_id = ingest("plain_refund.eml").ticket
    raw = (f"From: alice@example.com\r\nTo: support@desk.localhost\r\nMessage-ID: <r1@mail.example.com>\r\n"
           f"Subject: Re: [#{ticket_id}] Refund\r\n\r\nStill nothing arrived.\r\n\r\n"
           f"On Mon, Jan 5, 2026 at 10:00 AM Support <support@desk.localhost> wrote:\r\n> old text\r\n> more\r\n").encode()
    result = ingest_raw(raw, "api")
    assert (result.outcome, result.ticket) == ("reply", ticket_id)
    last = db.session.get(Ticket, ticket_id).messages[-1]
    assert last.body == "Still nothing arrived." and last.source == "email"


def test_reply_threads_by_in_reply_to_of_the_customers_earlier_mail(alice):
    ticket_id = ingest("plain_refund.eml").ticket
    raw = (b"From: alice@example.com\r\nTo: support@desk.localhost\r\nMessage-ID: <r2@mail.example.com>\r\n"
           b"In-Reply-To: <plain-refund-1@mail.example.com>\r\nSubject: one more thing\r\n\r\nAnd SMM12345 too.\r\n")
    assert ingest_raw(raw, "api").ticket == ticket_id


def test_spoofed_reply_to_someone_elses_ticket_is_quarantined(alice, bob):
    ticket_id = ingest("plain_refund.eml").ticket
    for n, header in enumerate((f"Subject: Re: [#{ticket_id}] approve my refund\r\n",
                                "Subject: hi\r\nIn-Reply-To: <plain-refund-1@mail.example.com>\r\n")):
        raw = (f"From: bob@example.com\r\nMessage-ID: <spoof{n}@mail.example.com>\r\n{header}\r\n"
               "Approve the refund and credit me.\r\n").encode()
        result = ingest_raw(raw, "api")
        assert result.outcome == "quarantined" and f"#{ticket_id}" in result.reason
    assert count(Message) == 1 and count(Ticket) == 1


def test_unknown_sender_naming_a_ticket_gets_no_account(alice):
    ticket_id = ingest("plain_refund.eml").ticket
    raw = f"From: mallory@evil.example\r\nMessage-ID: <m1@evil.example>\r\nSubject: [#{ticket_id}]\r\n\r\nhi\r\n"
    assert ingest_raw(raw.encode(), "api").outcome == "quarantined"
    from app.auth.services import find_user_by_email

    assert find_user_by_email("mallory@evil.example") is None


def test_unknown_sender_gets_an_unverified_account_or_a_refusal(ctx, settings):
    raw = b"From: Carol <carol@example.net>\r\nMessage-ID: <c1@example.net>\r\nSubject: help\r\n\r\nhello\r\n"
    result = ingest_raw(raw, "api")
    ticket = db.session.get(Ticket, result.ticket)
    assert result.outcome == "ticket" and ticket.customer.email == "carol@example.net"
    assert ticket.customer.password_hash is None and ticket.customer.name == "Carol"
    settings(INTAKE_UNKNOWN_SENDER="refuse")
    refused = ingest_raw(raw.replace(b"carol@", b"dave@").replace(b"<c1@", b"<d1@"), "api")
    assert refused.outcome == "ignored" and "unknown sender" in refused.reason


def test_mail_from_an_agent_address_is_not_elevated(make_user):
    make_user("agent", email="agent@example.com")
    raw = b"From: agent@example.com\r\nMessage-ID: <a1@example.com>\r\nSubject: approve\r\n\r\napprove #1\r\n"
    result = ingest_raw(raw, "api")
    assert result.outcome == "quarantined" and "staff" in result.reason and count(Ticket) == 0


def test_reply_to_closed_ticket_opens_a_follow_up(alice):
    ticket_id = ingest("plain_refund.eml").ticket
    db.session.get(Ticket, ticket_id).status = "closed"
    db.session.commit()
    raw = f"From: alice@example.com\r\nMessage-ID: <late@x.example>\r\nSubject: Re: [#{ticket_id}]\r\n\r\nagain\r\n"
    result = ingest_raw(raw.encode(), "api")
    assert result.outcome == "ticket" and result.ticket != ticket_id
    assert f"#{ticket_id}" in db.session.get(Ticket, result.ticket).messages[0].body


def test_sender_rate_limit(alice, settings):
    settings(INTAKE_SENDER_LIMIT=(2, 3600))
    outcomes = [ingest_raw(f"From: alice@example.com\r\nMessage-ID: <rl{n}@x>\r\nSubject: s{n}\r\n\r\nb\r\n".encode(),
                           "api").outcome for n in range(3)]
    assert outcomes == ["ticket", "ticket", "ignored"]


def test_parse_time_limit_quarantines_and_retry_succeeds(alice, settings):
    settings(INTAKE_PARSE_SECONDS=0)  # the child cannot have answered yet: the limit fires
    result = ingest("no_charset.eml")
    assert result.outcome == "quarantined" and "longer than" in result.reason, result
    settings(INTAKE_PARSE_SECONDS=5.0)
    again = retry(result.intake_id)
    assert again.outcome == "ticket" and count(Ticket) == 1
    row = db.session.get(IntakeMessage, result.intake_id)
    assert row.retries == 1 and row.outcome == "ticket"


def test_hostile_header_block_is_quarantined(alice):
    raw = b"From: alice@example.com\r\nMessage-ID: <dos@x>\r\nTo: " + b"a@b.c, " * 60000 + b"\r\nSubject: x\r\n\r\nhi\r\n"
    result = ingest_raw(raw, "api")
    assert result.outcome == "quarantined" and "header block" in result.reason


def test_email_never_approves_or_moves_money(alice, make_order):
    """The ticket's own customer writing "approve" only adds words: no new approval, action or ledger entry."""
    from app.actions.models import Action
    from app.triage.models import Approval
    from app.wallet.models import LedgerEntry

    make_order(alice, panel_id="SMM12345", status="Canceled")
    ticket_id = ingest("plain_refund.eml").ticket
    before = (count(Approval), count(Action), count(LedgerEntry))
    assert before == (0, 0, 0)  # a verdict, but no auto-approval for a ticket that came by email
    raw = (f"From: alice@example.com\r\nMessage-ID: <approve@x.example>\r\nSubject: Re: [#{ticket_id}] APPROVE\r\n"
           f"X-Helpdesk-Priority: urgent\r\n\r\nApprove the verdict and credit 1000 USD now.\r\n").encode()
    assert ingest_raw(raw, "api").outcome == "reply"
    assert (count(Approval), count(Action), count(LedgerEntry)) == before
    assert db.session.get(Ticket, ticket_id).priority == "normal"
