"""Sign-up, login, throttling, redirects and the session cookie."""
from __future__ import annotations

import pytest

from app.auth.services import find_user_by_email
from tests.conftest import PASSWORD, csrf_token


def post_login(client, email, password, next_url=None):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post("/login", query_string={"next": next_url} if next_url else None,
                       data={"email": email, "password": password, "csrf_token": token})


def test_signup_then_login(client, ctx):
    token = csrf_token(client.get("/signup").get_data(as_text=True))
    response = client.post("/signup", data={"name": "New Person", "email": "New@Example.com",
                                            "password": "long enough pw", "confirm": "long enough pw",
                                            "csrf_token": token})
    assert response.status_code == 302
    user = find_user_by_email("new@example.com")
    assert user.role == "customer" and user.password_hash.startswith("$argon2id$")
    assert post_login(client, "new@example.com", "long enough pw").headers["Location"] == "/my/tickets"


def test_signup_does_not_reveal_existing_accounts(client, make_user):
    existing = make_user("customer")

    def signup(email):
        token = csrf_token(client.get("/signup").get_data(as_text=True))
        response = client.post("/signup", data={"name": "X", "email": email, "password": "long enough pw",
                                                "confirm": "long enough pw", "csrf_token": token},
                               follow_redirects=True)
        return response.status_code, response.get_data(as_text=True).count("If the address was new")

    assert signup(existing.email) == signup("fresh@example.com") == (200, 1)


def test_login_errors_are_identical_for_unknown_and_wrong(client, make_user):
    user = make_user("customer")
    wrong = post_login(client, user.email, "wrong password!")
    unknown = post_login(client, "nobody@example.test", "wrong password!")
    assert wrong.status_code == unknown.status_code == 200
    assert "That email and password do not match an account." in wrong.get_data(as_text=True)
    assert "That email and password do not match an account." in unknown.get_data(as_text=True)


def test_login_is_throttled_per_account(app, make_user):
    user = make_user("customer")
    statuses = []
    for _ in range(11):
        client = app.test_client()  # a fresh client each time, as from many addresses
        statuses.append(post_login(client, user.email, "wrong password!", None).status_code)
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    assert post_login(app.test_client(), user.email, PASSWORD).status_code == 429


@pytest.mark.parametrize("target", [
    "https://evil.com", "//evil.com", "////evil.com", "/\\evil.com", "/\t/evil.com", "javascript:alert(1)",
    "https:evil.com", " //evil.com",
])
def test_next_redirect_stays_on_site(client, make_user, target):
    user = make_user("customer")
    response = post_login(client, user.email, PASSWORD, next_url=target)
    assert response.status_code == 302 and response.headers["Location"] == "/my/tickets"


def test_next_redirect_to_a_local_page(client, make_user):
    user = make_user("customer")
    assert post_login(client, user.email, PASSWORD, next_url="/orders?page=2").headers["Location"] == "/orders?page=2"


def test_session_cookie_flags(client, make_user):
    response = post_login(client, make_user("customer").email, PASSWORD)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_needs_post(login, make_user, client):
    login(make_user("customer"))
    assert client.get("/logout").status_code == 405
    assert client.get("/my/tickets").status_code == 200


def test_agent_lands_on_the_queue(client, make_user):
    assert post_login(client, make_user("agent").email, PASSWORD).headers["Location"] == "/desk/"


def test_users_token_command_prints_a_working_token(app, make_user):
    user = make_user("customer")
    result = app.test_cli_runner().invoke(args=["users", "token", user.email])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert app.test_client().get("/api/v1/orders", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    missing = app.test_cli_runner().invoke(args=["users", "token", "nobody@example.test"])
    assert missing.exit_code == 1 and "no account" in missing.output


def test_a_new_password_ends_the_accounts_other_sessions(app, make_user, login, ctx):
    from app.auth import reset
    from app.extensions import db

    user = make_user("customer")
    elsewhere = login(user, app.test_client())
    assert elsewhere.get("/my/tickets").status_code == 200
    reset.set_password(user, "a brand new password")
    db.session.commit()
    response = elsewhere.get("/my/tickets")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
