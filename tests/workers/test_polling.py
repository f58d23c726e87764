"""The automatic refund poll: 1,000 orders in at most 10 status calls, credits exactly once."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.actions import execution
from app.actions.models import Action
from app.db import utcnow
from app.extensions import db
from app.orders.models import Order
from app.orders.polling import poll_active_orders
from app.providers.demo_server import DemoProviderServer
from app.providers.models import Provider, Service
from tests.support.money_fixtures import CallCounter
from tests.actions.support import assert_ledger_invariant, file_ticket, refund_credits
from tests.providers.conftest import DEMO_KEY, FakeClock


@pytest.fixture
def big_provider():
    with DemoProviderServer(DEMO_KEY, clock=FakeClock(), count=1000) as server:
        server.app.wsgi_app = CallCounter(server.app.wsgi_app)
        yield server


def test_poll_of_1000_orders_makes_at_most_10_status_calls_and_credits_once(big_provider, make_user, ctx):
    customer = make_user("customer")
    services = {}
    for key in (1, 2):  # two provider rows on one account: they share batches
        provider = Provider(name=f"Demo {key}", api_url=big_provider.url, api_key=DEMO_KEY)
        services[key] = Service(provider=provider, provider_service_id=str(key), name=f"Demo {key}")
        db.session.add(services[key])
    recs = sorted(big_provider.state.orders.values(), key=lambda r: r["order"])
    db.session.add_all(Order(
        panel_id=f"SMM{n}", customer_id=customer.id, service=services[rec["provider"]], link=rec["link"],
        quantity=rec["quantity"], charge=Decimal("3.00"), status="In progress", start_count=rec["start_count"],
        remains=rec["quantity"], provider_order_id=str(rec["order"]), created_at=utcnow(), status_changed_at=utcnow(),
    ) for n, rec in enumerate(recs, start=1))
    db.session.commit()

    report = poll_active_orders()
    counts = big_provider.app.wsgi_app.counts
    assert report.orders == 1000 and report.calls == counts["status"] <= 10
    refundable = {str(r["order"]) for r in recs if r["status"] in ("Canceled", "Refunded")}
    credits = db.session.scalars(select(Action).where(Action.kind == "credit")).all()
    credited = {a.order.provider_order_id for a in credits}
    assert refundable and refundable <= credited  # Partial ones too, as the active policy says
    assert all(a.cause == f"status:{a.order.status.lower()}" and a.approval_id is None for a in credits)

    again = poll_active_orders()  # the same statuses seen again: nothing new
    assert again.credits == [] and again.calls <= 10
    assert len(db.session.scalars(select(Action).where(Action.kind == "credit")).all()) == len(credits)

    canceled = next(a.order for a in credits if a.order.status == "Canceled")
    ticket = file_ticket(customer, canceled)  # a ticket about an order the poll is crediting
    for action in db.session.scalars(select(Action)).all():
        execution.run(action.id)
    assert len(refund_credits(canceled.id)) == 1
    assert ticket.id and assert_ledger_invariant() is None


def test_poll_skips_when_another_is_running(app, ctx):
    from app.scheduling import redis_lock
    from workers.polling import poll_orders

    with redis_lock("order-poll") as held:
        assert held
        assert poll_orders() == {"skipped": "another poll is running"}
    assert poll_orders()["calls"] == 0
