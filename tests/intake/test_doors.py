"""The three doors: IMAP on a real dovecot, the raw-MIME webhook, the CLI; and the quarantine page."""
from __future__ import annotations

import json
import mailbox

import pytest
from imapclient import IMAPClient
from sqlalchemy import func, select

from app.extensions import db
from app.intake.mailbox import KEYWORD, MailboxConfig, poll
from app.intake.models import IntakeMessage
from app.tickets.models import Ticket
from tests.conftest import csrf_token
from tests.intake.conftest import FIXTURES, fixture_bytes

TOKEN = "intake-token-0123456789abcdef"


def tickets() -> int:
    return db.session.scalar(select(func.count(Ticket.id)))


# --- IMAP -----------------------------------------------------------------

@pytest.fixture
def imap_box(dovecot, request):
    host, port = dovecot
    folder = "T" + request.node.name.replace("[", "_").replace("]", "")[:40]
    with IMAPClient(host, port=port, ssl=False) as client:
        client.login("desk", "secret")
        if client.folder_exists(folder):
            client.delete_folder(folder)
        client.create_folder(folder)
    return MailboxConfig(name="support", host=host, port=port, ssl=False, username="desk", password="secret",
                         folder=folder)


def _client(box):
    client = IMAPClient(box.host, port=box.port, ssl=False)
    client.login(box.username, box.password)
    return client


def _flags(box) -> list[tuple]:
    with _client(box) as client:
        client.select_folder(box.folder, readonly=True)
        return [tuple(sorted(v[b"FLAGS"])) for _, v in sorted(client.fetch(client.search(), ["FLAGS"]).items())]


def test_imap_poll_turns_mail_into_tickets_and_flags_after_commit(alice, imap_box):
    with _client(imap_box) as client:
        for name in ("plain_refund.eml", "out_of_office.eml", "two_from.eml"):
            client.append(imap_box.folder, fixture_bytes(name))
    seen_at_commit = []

    def check(uid, result):  # runs after the commit, before the flag
        seen_at_commit.append((result.outcome, _flags(imap_box)[uid - 1]))
        assert db.session.get(IntakeMessage, result.intake_id).outcome == result.outcome

    results = poll(imap_box, after_commit=check)
    assert [r.outcome for r in results] == ["ticket", "ignored", "quarantined"]
    assert all(KEYWORD not in flags and b"\\Seen" not in flags for _, flags in seen_at_commit)
    assert all(KEYWORD in flags and b"\\Seen" in flags for flags in _flags(imap_box))
    assert poll(imap_box) == [] and tickets() == 1


def test_imap_crash_between_commit_and_flag_rereads_without_duplicating(alice, imap_box):
    with _client(imap_box) as client:
        client.append(imap_box.folder, fixture_bytes("plain_refund.eml"))

    def crash(uid, result):
        raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError):
        poll(imap_box, after_commit=crash)
    assert _flags(imap_box) == [()] and tickets() == 1
    again = poll(imap_box)
    assert [r.outcome for r in again] == ["duplicate"] and tickets() == 1
    assert KEYWORD in _flags(imap_box)[0]


def test_imap_oversized_message_is_not_downloaded(alice, imap_box, settings):
    settings(INTAKE_MAX_BYTES=2000)
    big = fixture_bytes("plain_refund.eml").replace(b"<plain-refund-1@", b"<big-imap@") + b"y" * 5000 + b"\r\n"
    with _client(imap_box) as client:
        client.append(imap_box.folder, big)
    [result] = poll(imap_box)
    row = db.session.get(IntakeMessage, result.intake_id)
    assert result.outcome == "quarantined" and "only the headers" in result.reason
    assert row.raw_size >= len(big) - 10 and len(row.raw) < 2000 and b"yyyy" not in row.raw
    assert row.message_id == "<big-imap@mail.example.com>"


def test_imap_move_to_processed_folder(alice, imap_box):
    box = MailboxConfig(**{**imap_box.__dict__, "move_to": imap_box.folder + "-done"})
    with _client(box) as client:
        client.append(box.folder, fixture_bytes("no_charset.eml"))
    assert [r.outcome for r in poll(box)] == ["ticket"]
    with _client(box) as client:
        assert client.select_folder(box.folder)[b"EXISTS"] == 0
        assert client.select_folder(box.move_to)[b"EXISTS"] == 1


def test_poll_job_reports_and_is_scheduled(alice, imap_box, settings, ctx):
    from app.scheduling import periodic_jobs, redis_lock
    from workers.intake import poll_mailboxes

    settings(IMAP_MAILBOXES=[{**imap_box.__dict__}], IMAP_POLL_SECONDS=30)
    with _client(imap_box) as client:
        client.append(imap_box.folder, fixture_bytes("no_charset.eml"))
    with redis_lock("imap-poll") as held:
        assert held and poll_mailboxes() == {}  # a pass already running: this one steps aside
    assert poll_mailboxes() == {"support": ["ticket"]}
    assert "workers.intake.poll_mailboxes" in [job.job_path for job in periodic_jobs()]


# --- the webhook ----------------------------------------------------------

def test_webhook_requires_the_intake_token(client, alice, settings, make_user, api):
    settings(INTAKE_TOKEN=TOKEN)
    raw = fixture_bytes("plain_refund.eml")
    user_token = api(alice).headers
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"X-Intake-Token": ""}, user_token):
        response = client.post("/api/v1/intake/email", data=raw, headers=headers)
        assert response.status_code == 401
    assert db.session.scalar(select(func.count(IntakeMessage.id))) == 0
    settings(INTAKE_TOKEN=None)
    assert client.post("/api/v1/intake/email", data=raw, headers={"Authorization": "Bearer "}).status_code == 401


def test_webhook_stores_before_answering_and_is_idempotent(client, alice, settings):
    settings(INTAKE_TOKEN=TOKEN)
    raw = fixture_bytes("plain_refund.eml")
    first = client.post("/api/v1/intake/email", data=raw, headers={"Authorization": f"Bearer {TOKEN}"},
                        content_type="message/rfc822")
    assert first.status_code == 200 and first.json["outcome"] == "ticket"
    assert db.session.scalar(select(IntakeMessage.raw)) == raw
    retry = client.post("/api/v1/intake/email", data=raw, headers={"X-Intake-Token": TOKEN})
    assert retry.status_code == 200 and retry.json == {**first.json, "outcome": "duplicate",
                                                       "reason": retry.json["reason"]}
    assert tickets() == 1
    assert client.post("/api/v1/intake/email", data=b"", headers={"X-Intake-Token": TOKEN}).status_code == 400


# --- the CLI ----------------------------------------------------------------

def test_cli_ingests_eml_mbox_and_maildir(app, alice, tmp_path):
    box = mailbox.mbox(tmp_path / "inbox.mbox")
    box.add(fixture_bytes("no_charset.eml"))
    box.add(fixture_bytes("list_mail.eml"))
    box.flush()
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    maildir.add(fixture_bytes("plain_refund.eml"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["mail", "ingest", str(FIXTURES / "plain_refund.eml"), str(tmp_path / "inbox.mbox"),
                                 str(tmp_path / "Maildir")])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [(line["outcome"], line["message_id"]) for line in lines] == [
        ("ticket", "<plain-refund-1@mail.example.com>"), ("ticket", "<no-charset-1@mail.example.com>"),
        ("ignored", "<list-1@lists.example.com>"), ("duplicate", "<plain-refund-1@mail.example.com>")]
    assert set(lines[0]) == {"source", "message_id", "outcome", "ticket", "reason"}
    assert lines[0]["ticket"] == lines[3]["ticket"] and lines[2]["ticket"] is None
    assert lines[1]["source"].endswith("inbox.mbox:0")


# --- quarantine page ------------------------------------------------------

def test_quarantine_page_lists_and_retries_for_admins_only(app, client, login, make_user, alice, settings):
    from app.intake.services import ingest_raw

    settings(INTAKE_MAX_BYTES=100)
    bad = ingest_raw(fixture_bytes("no_charset.eml"), "api")
    settings(INTAKE_MAX_BYTES=25 * 1024 * 1024)
    evil = ingest_raw(fixture_bytes("two_from.eml").replace(b"who am I", b"<script>alert(1)</script>"), "api")
    agent_client = app.test_client()
    login(make_user("agent"), agent_client)
    assert agent_client.get("/desk/intake/quarantine").status_code == 404
    login(make_user("admin"))
    page = client.get("/desk/intake/quarantine")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "too large" in html and "<script>alert" not in html
    assert f'data-intake="{evil.intake_id}"' in html
    assert client.post(f"/desk/intake/quarantine/{bad.intake_id}/retry").status_code in (302, 400)
    assert db.session.get(IntakeMessage, bad.intake_id).outcome == "quarantined"
    response = client.post(f"/desk/intake/quarantine/{bad.intake_id}/retry", data={"csrf_token": csrf_token(html)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(IntakeMessage, bad.intake_id).outcome == "ticket"
    assert f'data-intake="{bad.intake_id}"' not in client.get("/desk/intake/quarantine").get_data(as_text=True)
