"""A web sign-up confirms its address before inbound email from it joins the account."""
from __future__ import annotations

import re

import pytest

from app.auth import confirm
from app.auth.services import find_user_by_email
from app.extensions import db
from app.intake.services import ingest_raw
from tests.conftest import csrf_token
from tests.intake.conftest import fixture_bytes
from tests.mail.conftest import run_jobs, settings, smtp  # noqa: F401  (shared fixtures)

PORTAL = "https://desk.example.com"
LINK = re.compile(r"(https://desk\.example\.com/confirm/\S+)")
PASSWORD = "a long password"


@pytest.fixture
def mail(smtp, settings):  # noqa: F811
    settings(MAIL_PORTAL_URL=PORTAL)
    return smtp


def sign_up(client, email="alice@example.com"):
    token = csrf_token(client.get("/signup").get_data(as_text=True))
    return client.post("/signup", data={"name": "Alice", "email": email, "password": PASSWORD,
                                        "confirm": PASSWORD, "csrf_token": token})


def confirm_link(mail) -> str:
    [msg] = [m for m in mail.messages() if m["Subject"] == "Confirm your email address"]
    return LINK.search(msg.get_content()).group(1).removeprefix(PORTAL)


def test_signup_confirmation_lets_email_join_the_account(app, client, mail, run_jobs, ctx):  # noqa: F811
    assert sign_up(client).status_code == 302
    run_jobs()  # the confirmation job writes the email, then its send job delivers it
    run_jobs()
    user = find_user_by_email("alice@example.com")
    assert not user.email_verified
    spoofed = ingest_raw(fixture_bytes("plain_refund.eml"), "api")
    assert (spoofed.outcome, spoofed.reason) == (
        "quarantined", "the account for this address has not confirmed that it owns it")

    path = confirm_link(mail)
    page = client.get(path)
    assert page.status_code == 200 and "Confirm my address" in page.get_data(as_text=True)
    db.session.expire_all()
    assert not find_user_by_email("alice@example.com").email_verified  # a GET changes nothing
    assert client.post(path, data={"csrf_token": csrf_token(page.get_data(as_text=True))}).status_code == 302
    db.session.expire_all()
    assert find_user_by_email("alice@example.com").email_verified
    raw = fixture_bytes("plain_refund.eml").replace(b"plain-refund-1@", b"plain-refund-2@")
    assert ingest_raw(raw, "api").outcome == "ticket"


def test_bad_or_stale_links_do_not_confirm(app, client, make_user, ctx):
    user = make_user("customer")
    user.email_verified = False
    db.session.commit()
    token = confirm.confirmation_token_for(user)
    assert client.get("/confirm/not-a-token").status_code == 400
    assert client.get(f"/confirm/{token[:-2]}xx").status_code == 400
    user.email = "changed@example.com"
    db.session.commit()
    assert client.get(f"/confirm/{token}").status_code == 400  # the address changed since the link was made


def test_portal_offers_to_resend_the_link(app, client, login, make_user, ctx):
    user = make_user("customer")
    user.email_verified = False
    db.session.commit()
    login(user)
    page = client.get("/my/tickets").get_data(as_text=True)
    assert "so that emails you send us join this account" in page
    assert client.post("/confirm", data={"csrf_token": csrf_token(page)}).status_code == 302
    assert client.post("/confirm").status_code == 400  # CSRF


def test_the_reset_link_also_proves_the_address(app, make_user, ctx):
    from app.auth import reset

    user = make_user("customer")
    user.email_verified = False
    db.session.commit()
    reset.set_password(user, "another long password")
    db.session.commit()
    db.session.expire_all()
    assert find_user_by_email(user.email).email_verified
