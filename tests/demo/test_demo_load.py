"""The demo panel `make run` starts with: believable, complete, and its logins work."""
from __future__ import annotations

from sqlalchemy import func, select

from app.auth.models import User
from app.demo.loader import DEMO_PASSWORD
from app.extensions import db
from app.orders.models import ORDER_STATUSES, Order
from app.providers.models import Provider, Service
from app.tickets.models import Attachment, Ticket


def test_demo_load_builds_a_panel(app, client, ctx):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "demo: 3 inbound emails: ticket, ignored, quarantined" in result.output
    assert db.session.scalar(select(func.count(Provider.id))) == 2
    services = db.session.scalars(select(Service)).all()
    assert len(services) == 10 and {s.refill for s in services} == {True, False}
    assert db.session.scalar(select(func.count(Order.id))) == 200
    assert set(db.session.scalars(select(Order.status).distinct())) == set(ORDER_STATUSES)
    assert db.session.scalar(select(func.count(Ticket.id))) == 51
    assert db.session.scalar(select(Ticket.source).order_by(Ticket.id.desc()).limit(1)) == "email"
    assert db.session.scalar(select(func.count(Attachment.id))) > 0
    assert {u.email for u in db.session.scalars(select(User).where(User.role != "customer"))} >= {
        "agent@demo.test", "admin@demo.test"}
    assert len({t.status for t in db.session.scalars(select(Ticket))}) >= 4

    again = app.test_cli_runner().invoke(args=["demo", "load", "--if-empty"])
    assert again.exit_code == 0 and "nothing loaded" in again.output
    assert db.session.scalar(select(func.count(Ticket.id))) == 51


def test_demo_logins(app, client, ctx):
    from tests.conftest import csrf_token

    app.test_cli_runner().invoke(args=["demo", "load"])
    for email, home in (("customer@demo.test", "/my/tickets"), ("agent@demo.test", "/desk/")):
        c = app.test_client()
        token = csrf_token(c.get("/login").get_data(as_text=True))
        response = c.post("/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})
        assert response.headers["Location"] == home
        assert c.get(home).status_code == 200
