"""Forgot your password / set your password: the emailed link, its token, and claiming an email-created account."""
from __future__ import annotations

import hashlib
import re
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from app.auth import reset
from app.auth.models import Role
from app.auth.services import authenticate, create_user, find_user_by_email
from app.errors import ValidationError
from app.extensions import db
from app.intake.services import ingest_raw
from app.mail.models import OutgoingEmail
from app.mail.outbox import email_account
from tests.conftest import PASSWORD, csrf_token
from tests.intake.conftest import fixture_bytes
from tests.mail.conftest import alice, bob, run_jobs, settings, smtp  # noqa: F401  (shared fixtures)

SENT = "If an account uses that address, we have emailed a link to set a password."
DONE = "Your password is set. Log in with it."
NEW_PASSWORD = "a brand new passphrase"
PORTAL = "https://desk.example.com"
LINK = re.compile(re.escape(PORTAL) + r"/reset/([A-Za-z0-9_.\-]+)")


def outbox_count() -> int:
    return db.session.scalar(select(func.count(OutgoingEmail.id))) or 0


def ask(client, email, ip="127.0.0.1"):
    environ = {"REMOTE_ADDR": ip}
    token = csrf_token(client.get("/reset", environ_base=environ).get_data(as_text=True))
    return client.post("/reset", data={"email": email, "csrf_token": token}, environ_base=environ)


def set_password(client, token, password=NEW_PASSWORD, confirm=None):
    page = client.get(f"/reset/{token}")
    assert page.status_code == 200, page.status_code
    return client.post(f"/reset/{token}", data={
        "password": password, "confirm": password if confirm is None else confirm,
        "csrf_token": csrf_token(page.get_data(as_text=True))})


def login_status(client, email, password) -> int:
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token}).status_code


def link_from_mail(smtp, to: str) -> str:
    [msg] = [m for m in smtp.messages() if m["To"] == to and m["Subject"] == "Set your password"]
    match = LINK.search(msg.get_content())
    assert match, msg.get_content()
    return match.group(1)


@pytest.fixture
def mail(smtp, settings):
    settings(MAIL_PORTAL_URL=PORTAL)
    return smtp


def token_made_ago(monkeypatch, user, seconds: int) -> str:
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - seconds)
    try:
        return reset.reset_token_for(user)
    finally:
        monkeypatch.setattr(TimestampSigner, "get_timestamp", real)


def test_login_page_links_to_the_reset_page(client, ctx):
    assert 'href="/reset">Forgot your password?</a>' in client.get("/login").get_data(as_text=True)
    assert client.get("/reset").status_code == 200


def test_same_answer_for_known_unknown_and_disabled_addresses(client, mail, run_jobs, alice, make_user):
    disabled = make_user("customer")
    disabled.is_active_account = False
    db.session.commit()
    answers = []
    for email in (alice.email, "nobody@example.test", disabled.email, "ALICE@Example.com "):
        response = ask(client, email)
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        answers.append((response.status_code, response.headers["Location"], page.count(SENT)))
    assert answers == [(302, "/login", 1)] * 4
    run_jobs()
    assert sorted(m["To"] for m in mail.messages()) == ["alice@example.com", "alice@example.com"]


def test_the_request_does_the_same_work_for_known_and_unknown_addresses(client, mail, run_jobs, alice):
    """No timing oracle: the page only enqueues the lookup; a worker writes the email (or nothing)."""
    from workers.queues import queue

    notifications = queue("notifications")
    for email in (alice.email, "nobody@example.com"):
        before = outbox_count()
        ask(client, email)
        [job_id] = notifications.job_ids
        job = notifications.fetch_job(job_id)
        assert (job.func_name, job.args) == (reset.JOB_PATH, (email,))
        assert outbox_count() == before
        run_jobs()
    assert [m["To"] for m in mail.messages()] == ["alice@example.com"]


def test_the_emailed_link_sets_the_password_once(client, mail, run_jobs, alice):
    ask(client, alice.email)
    run_jobs()
    [msg] = mail.messages()
    assert msg["Auto-Submitted"] == "auto-generated" and msg["Subject"] == "Set your password"
    token = link_from_mail(mail, "alice@example.com")
    row = db.session.scalar(select(OutgoingEmail))
    assert row.ticket_id is None and row.context == {"user_id": alice.id}  # the link is not kept at rest

    page = client.get(f"/reset/{token}")
    assert page.status_code == 200 and "alice@example.com" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["Cache-Control"] == "no-store"
    response = set_password(client, token)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert DONE in client.get("/login").get_data(as_text=True)
    assert client.get("/my/tickets").status_code == 302  # not logged in automatically

    db.session.expire_all()
    assert find_user_by_email("alice@example.com").password_hash.startswith("$argon2id$")
    assert login_status(client, "alice@example.com", PASSWORD) == 200  # the old password no longer works
    assert login_status(client, "alice@example.com", NEW_PASSWORD) == 302

    used = client.get(f"/reset/{token}")
    assert used.status_code == 400 and 'href="/reset"' in used.get_data(as_text=True)
    again = client.post(f"/reset/{token}", data={"password": "another passphrase", "confirm": "another passphrase",
                                                 "csrf_token": csrf_token(used.get_data(as_text=True))})
    assert again.status_code == 400
    db.session.expire_all()
    assert authenticate("alice@example.com", NEW_PASSWORD) is not None


def test_an_email_created_customer_claims_the_account(app, client, mail, run_jobs):
    ticket_id = ingest_raw(fixture_bytes("plain_refund.eml"), "api").ticket
    customer = find_user_by_email("alice@example.com")
    assert ticket_id and customer.password_hash is None
    assert login_status(client, "alice@example.com", "") == 200

    ask(client, "alice@example.com")
    run_jobs()
    token = link_from_mail(mail, "alice@example.com")
    assert set_password(client, token).status_code == 302
    assert login_status(client, "alice@example.com", NEW_PASSWORD) == 302
    assert client.get(f"/my/tickets/{ticket_id}").status_code == 200  # the emailed ticket is theirs
    assert client.get(f"/reset/{token}").status_code == 400  # a password now exists: the claim link is spent


def test_a_link_expires(app, ctx, client, alice, settings, monkeypatch):
    day = app.config["PASSWORD_RESET_MAX_AGE"]
    assert day == 24 * 3600
    assert reset.user_for_reset_token(token_made_ago(monkeypatch, alice, day - 60)).id == alice.id
    stale = token_made_ago(monkeypatch, alice, day + 1)
    assert reset.user_for_reset_token(stale) is None
    assert client.get(f"/reset/{stale}").status_code == 400
    settings(PASSWORD_RESET_MAX_AGE=60)
    assert reset.user_for_reset_token(token_made_ago(monkeypatch, alice, 61)) is None


def test_a_token_for_one_user_never_sets_another_users_password(client, alice, bob):
    alice_token = reset.reset_token_for(alice)
    assert set_password(client, alice_token).status_code == 302
    db.session.expire_all()
    assert authenticate(bob.email, PASSWORD) is not None and authenticate(bob.email, NEW_PASSWORD) is None
    assert authenticate(alice.email, NEW_PASSWORD) is not None

    # a validly signed token naming Bob but carrying Alice's fingerprint is refused
    signer = reset._serializer()
    assert reset.user_for_reset_token(signer.dumps([bob.id, reset._fingerprint(alice)])) is None
    assert reset.user_for_reset_token(signer.dumps([bob.id, reset._fingerprint(bob)])).id == bob.id


def test_tampered_and_foreign_tokens_fail(app, client, alice):
    token = reset.reset_token_for(alice)
    payload, stamp, signature = token.rsplit(".", 2)
    other_key = URLSafeTimedSerializer("another-secret", salt=reset._SALT,
                                       signer_kwargs={"digest_method": hashlib.sha256}).dumps([alice.id, "x"])
    other_salt = URLSafeTimedSerializer(app.config["SECRET_KEY"]).dumps([alice.id, reset._fingerprint(alice)])
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    bad = [
        token.swapcase(), token + "x", token[:-1], f"{payload}.{stamp}.{flipped}", f"{payload}..{signature}",
        other_key, other_salt, "0", "None", "null", "[]", "x" * 600, "a.b.c",
    ]
    for candidate in bad:
        assert reset.user_for_reset_token(candidate) is None, candidate
        response = client.get(f"/reset/{candidate}")
        assert response.status_code == 400 and "Email me a new link" in response.get_data(as_text=True)
    assert reset.user_for_reset_token("") is None and reset.user_for_reset_token(None) is None
    assert client.get("/reset/").status_code == 400
    db.session.expire_all()
    assert authenticate(alice.email, PASSWORD) is not None


def test_two_requests_racing_with_one_link_cannot_both_set_a_password(ctx, alice):
    from sqlalchemy.orm.attributes import set_committed_value

    user = reset.user_for_reset_token(reset.reset_token_for(alice))
    seen_by_both = user.password_hash  # both requests checked the link before either wrote
    reset.set_password(user, NEW_PASSWORD)
    db.session.commit()
    set_committed_value(user, "password_hash", seen_by_both)  # the slower request's view
    with pytest.raises(ValidationError) as error:
        reset.set_password(user, "another passphrase!")
    assert error.value.field == "token"
    db.session.rollback()
    assert authenticate(alice.email, NEW_PASSWORD) is not None


def test_a_disabled_account_cannot_use_an_earlier_link(client, alice):
    token = reset.reset_token_for(alice)
    alice.is_active_account = False
    db.session.commit()
    assert client.get(f"/reset/{token}").status_code == 400


def test_short_or_mismatched_passwords_are_refused_and_the_link_still_works(client, alice):
    token = reset.reset_token_for(alice)
    short = set_password(client, token, password="short")
    assert short.status_code == 200 and "Use 10 to 256 characters." in short.get_data(as_text=True)
    differ = set_password(client, token, confirm="something else entirely")
    assert differ.status_code == 200 and "The passwords differ." in differ.get_data(as_text=True)
    assert set_password(client, token).status_code == 302


def test_completing_a_reset_ends_any_session_in_that_browser(client, alice, make_user):
    other = make_user("customer")
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": other.email, "password": PASSWORD, "remember": "y", "csrf_token": token})
    assert client.get("/my/tickets").status_code == 200
    response = set_password(client, reset.reset_token_for(alice))
    assert response.status_code == 302
    assert any(c.startswith("remember_token=;") for c in response.headers.getlist("Set-Cookie"))
    assert client.get("/my/tickets").status_code == 302


def test_csrf_is_required_on_both_forms(client, mail, run_jobs, alice):
    assert client.post("/reset", data={"email": alice.email}).status_code == 400
    assert outbox_count() == 0
    token = reset.reset_token_for(alice)
    response = client.post(f"/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    db.session.expire_all()
    assert authenticate(alice.email, PASSWORD) is not None
    run_jobs()
    assert mail.received == []


def test_requests_are_throttled_per_address_and_per_ip(app, mail, run_jobs, alice):
    statuses = [ask(app.test_client(), "alice@example.com", ip=f"10.0.0.{i}").status_code for i in range(6)]
    assert statuses == [302] * 5 + [429]  # six addresses, one account: an inbox cannot be flooded
    run_jobs()
    assert len(mail.received) == 5
    unknown = [ask(app.test_client(), "nobody@example.test", ip=f"10.0.1.{i}").status_code for i in range(6)]
    assert unknown == statuses  # the limit says nothing about whether the address exists

    client = app.test_client()
    one_ip = [ask(client, f"someone{i}@example.test", ip="10.0.2.1").status_code for i in range(6)]
    assert one_ip == [302] * 5 + [429]


def test_no_mail_server_means_no_email_but_the_same_answer(client, settings, alice):
    settings(MAIL_SERVER=None)
    response = ask(client, alice.email)
    assert response.status_code == 302 and SENT in client.get("/login").get_data(as_text=True)
    assert outbox_count() == 0


def test_account_email_rejects_unknown_templates(ctx, alice):
    with pytest.raises(ValueError):
        email_account(alice, "ticket_received")


def test_set_password_service_checks_length(ctx):
    user = create_user("new@example.com", None, "New", Role.CUSTOMER)
    with pytest.raises(Exception, match="at least 10"):
        reset.set_password(user, "short")
    reset.set_password(user, NEW_PASSWORD)
    db.session.commit()
    assert authenticate("new@example.com", NEW_PASSWORD).id == user.id
