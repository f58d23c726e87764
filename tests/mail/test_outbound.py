"""Replies and notices reach a real SMTP server with threading headers, and thread back in."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.intake.services import ingest_raw
from app.mail.models import OutgoingEmail
from app.mail.outbox import notify_customer
from app.tickets import services as tickets
from app.tickets.models import Ticket
from tests.conftest import csrf_token
from tests.intake.conftest import fixture_bytes

DOMAIN_ID = re.compile(r"^<[^<>@\s]+@desk\.localhost>$")


def test_email_ticket_gets_a_notice_then_an_agent_reply_that_threads_back(
        smtp, run_jobs, alice, make_user, login, client):
    ticket_id = ingest_raw(fixture_bytes("plain_refund.eml"), "api").ticket
    run_jobs()
    [notice] = smtp.messages()
    assert notice["Auto-Submitted"] == "auto-replied" and f"[#{ticket_id}]" in notice["Subject"]
    assert notice["In-Reply-To"] == "<plain-refund-1@mail.example.com>"
    assert DOMAIN_ID.match(notice["Message-ID"]) and notice["To"] == "alice@example.com"

    agent = make_user("agent")
    login(agent)
    page = client.get(f"/desk/tickets/{ticket_id}").get_data(as_text=True)
    response = client.post(f"/desk/tickets/{ticket_id}/reply", data={
        "body": "We are checking SMM12345.", "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    client.post(f"/desk/tickets/{ticket_id}/reply", data={
        "body": "internal only", "internal": "y", "csrf_token": csrf_token(page)})
    run_jobs()
    assert len(smtp.received) == 2
    rcpt, reply, _ = smtp.received[1]
    assert rcpt == ["alice@example.com"] and "We are checking SMM12345." in reply.get_content()
    assert reply["Subject"].startswith(f"Re: [#{ticket_id}] ") and reply["Auto-Submitted"] is None
    assert reply["In-Reply-To"] == notice["Message-ID"]
    assert reply["References"].split() == ["<plain-refund-1@mail.example.com>", notice["Message-ID"]]
    assert "internal only" not in str(smtp.received)

    answer = (f"From: alice@example.com\r\nTo: support@desk.localhost\r\nMessage-ID: <ans@mail.example.com>\r\n"
              f"In-Reply-To: {reply['Message-ID']}\r\nSubject: thanks\r\n\r\nStill waiting.\r\n\r\n"
              f"On Tue, Jan 6, 2026 at 9:00 AM Support <support@desk.localhost> wrote:\r\n> We are checking\r\n")
    result = ingest_raw(answer.encode(), "api")
    assert (result.outcome, result.ticket) == ("reply", ticket_id)
    assert db.session.get(Ticket, ticket_id).messages[-1].body == "Still waiting."


def test_our_own_email_looping_back_is_ignored(smtp, run_jobs, alice):
    ingest_raw(fixture_bytes("plain_refund.eml"), "api")
    run_jobs()
    _, _, raw = smtp.received[0]
    result = ingest_raw(raw, "imap")
    assert result.outcome == "ignored" and "loop" in result.reason


def test_bounce_of_our_notice_is_linked_not_answered(smtp, run_jobs, alice):
    ticket_id = ingest_raw(fixture_bytes("plain_refund.eml"), "api").ticket
    run_jobs()
    ours = smtp.messages()[0]["Message-ID"]
    bounce = fixture_bytes("bounce_dsn.eml").replace(b"<OUTGOING_ID>", ours.encode())
    result = ingest_raw(bounce, "api")
    assert (result.outcome, result.ticket) == ("ignored", ticket_id)
    run_jobs()
    assert len(smtp.received) == 1


def test_no_header_injection_from_a_subject(smtp, run_jobs, alice):
    ticket = tickets.open_ticket(alice, kind="other", reason="other", subject="x", body="b", order_ids=None)
    db.session.flush()
    ticket.subject = "hi\r\nBcc: attacker@evil.example\nX-Injected: 1"
    db.session.commit()
    run_jobs()
    [(rcpt, msg, raw)] = smtp.received
    assert rcpt == ["alice@example.com"] and msg["Bcc"] is None and msg["X-Injected"] is None
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\nBcc:" not in head and b"\nX-Injected" not in head and "Bcc: attacker" in msg["Subject"]


def test_notify_customer_sends_after_commit_once(smtp, run_jobs, alice):
    ticket = tickets.open_ticket(alice, kind="other", reason="other", subject="s", body="b", order_ids=None)
    db.session.commit()
    run_jobs()
    smtp.received.clear()
    notify_customer(ticket.id, "credit_made", amount="2.50", currency="USD", order_id="SMM1", action_id=7)
    db.session.rollback()
    run_jobs()
    assert smtp.received == []
    first = notify_customer(ticket.id, "credit_made", amount="2.50", currency="USD", order_id="SMM1", action_id=7)
    second = notify_customer(ticket.id, "credit_made", amount="2.50", currency="USD", order_id="SMM1", action_id=7)
    assert first.id == second.id
    db.session.commit()
    run_jobs()
    [msg] = smtp.messages()
    assert msg["Auto-Submitted"] == "auto-replied" and "2.50 USD" in msg.get_content()
    assert "Refund credited" in msg["Subject"]
    with pytest.raises(ValueError):
        notify_customer(ticket.id, "approve_refund")


def test_resolved_notice_and_refill_notice(smtp, run_jobs, alice, make_user):
    agent = make_user("agent")
    ticket = tickets.open_ticket(alice, kind="other", reason="other", subject="s", body="b", order_ids=None)
    db.session.commit()
    tickets.change_status(ticket, agent, "resolved")
    notify_customer(ticket.id, "refill_requested", order_id="SMM2")
    db.session.commit()
    run_jobs()
    subjects = [m["Subject"] for m in smtp.messages()]
    assert any("received" in s for s in subjects) and any("resolved" in s for s in subjects)
    assert any("Refill requested" in s for s in subjects)
    assert all(m["Auto-Submitted"] == "auto-replied" for m in smtp.messages())


def test_smtp_failure_is_retried_and_keeps_the_message_id(smtp, run_jobs, alice, settings):
    from rq.job import Job

    from flask import current_app

    from app.redis_conn import get_redis

    good = current_app.config["MAIL_PORT"]
    settings(MAIL_PORT=1)  # nothing listens: connection refused
    tickets.open_ticket(alice, kind="other", reason="other", subject="s", body="b", order_ids=None)
    db.session.commit()
    run_jobs()
    row = db.session.scalar(select(OutgoingEmail))
    assert row.state == "queued" and row.attempts == 1 and "Error" in row.last_error
    job = Job.fetch(f"mail-{row.id}", connection=get_redis())
    assert job.retries_left == 4 and job.get_status() == "scheduled"
    settings(MAIL_PORT=good)
    from workers.mail import send_outgoing

    assert send_outgoing(row.id) == "sent" and send_outgoing(row.id) == "sent"
    [msg] = smtp.messages()
    assert msg["Message-ID"] == row.message_id


def test_per_ticket_cap_suppresses_a_loop(smtp, run_jobs, alice, settings, make_user):
    settings(MAIL_TICKET_LIMIT=(1, 10))
    agent = make_user("agent")
    ticket = tickets.open_ticket(alice, kind="other", reason="other", subject="s", body="b", order_ids=None)
    db.session.commit()
    tickets.add_message(ticket, agent, "first answer")
    db.session.commit()
    run_jobs()
    states = sorted(db.session.scalars(select(OutgoingEmail.state)).all())
    assert states == ["sent", "suppressed"] and len(smtp.received) == 1


def test_no_mail_server_means_no_outbox(ctx, alice, settings):
    settings(MAIL_SERVER=None)
    tickets.open_ticket(alice, kind="other", reason="other", subject="s", body="b", order_ids=None)
    db.session.commit()
    assert db.session.scalar(select(OutgoingEmail)) is None
