"""Refills and cancels over real HTTP to the demo provider: followed to the end, never sent twice."""
from __future__ import annotations

import time
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.actions import execution, finishing
from app.actions.models import Action
from app.extensions import db
from app.tickets.models import Ticket
from app.triage import services as triage
from tests.actions.support import (
    assert_ledger_invariant, file_ticket, no_auto_approval, order_for, refund_credits, run_until_settled,
)
from tests.conftest import csrf_token
from tests.providers.conftest import refillable


@pytest.fixture
def people(make_user):
    no_auto_approval()
    return make_user("customer"), make_user("agent")


def cancellable(rec, service):
    return service["cancel"] and rec["status"] in ("Pending", "In progress")


def approve(ticket, agent, decision, amount=None):
    override = triage.Override(decision, Decimal(amount) if amount else None, "test")
    [action] = triage.approve(ticket, agent, override=override)
    db.session.commit()
    return action


def test_cancel_is_followed_until_the_order_ends_then_credited_once(fast, people, demo_service, pick, provider,
                                                                   calls, ctx):
    customer, agent = people
    rec = pick(cancellable)
    order = order_for(customer, demo_service, rec, charge="4.00")
    ticket = file_ticket(customer, order, kind="cancel", reason="changed_mind")
    cancel = approve(ticket, agent, "cancel", "4.00")

    assert execution.run(cancel.id) == "following"
    assert db.session.get(Action, cancel.id).provider_ref == "cancel-requested"
    assert execution.run(cancel.id) == "following"  # the provider has not acted yet
    provider.advance(200)
    assert execution.run(cancel.id) == "done"
    final = provider.state.orders[rec["order"]]
    [credit] = db.session.scalars(select(Action).where(Action.kind == "credit")).all()
    assert credit.cause == f"status:{final['status'].lower()}" and credit.idempotency_key == f"action:{cancel.id}:credit"
    assert db.session.get(type(order), order.id).status == final["status"]
    expected = Decimal("4.00") if final["status"] == "Canceled" else \
        (Decimal("4.00") * final["remains"] / rec["quantity"]).quantize(Decimal("0.00001"))
    assert credit.amount == expected
    assert execution.run(credit.id) == "done"
    assert [e.amount for e in refund_credits(order.id)] == [expected]
    assert calls["cancel"] == 1
    for action_id in (cancel.id, credit.id):
        finishing.finish_action(action_id)
    assert db.session.get(Ticket, ticket.id, populate_existing=True).status == "resolved"
    assert_ledger_invariant()


def test_cancel_with_unknown_outcome_asks_status_before_anything_else(fast, app, people, demo_service, pick,
                                                                     provider, calls, ctx):
    customer, agent = people
    order = order_for(customer, demo_service, pick(cancellable), charge="4.00")
    cancel = approve(file_ticket(customer, order, kind="cancel", reason="changed_mind"), agent, "cancel", "4.00")
    app.config["ACTIONS_PROVIDER_TIMEOUT"] = 0.5
    provider.set_faults(delay=1.5, actions=["cancel"], remaining=1)  # applied after we gave up waiting
    assert execution.run(cancel.id).startswith("retry")
    action = db.session.get(Action, cancel.id, populate_existing=True)
    assert (action.state, action.provider_ref) == ("running", None) and "outcome unknown" in action.last_error
    time.sleep(1.5)
    app.config["ACTIONS_PROVIDER_TIMEOUT"] = 3
    provider.advance(200)  # the cancel we never heard back about took effect
    assert execution.run(cancel.id) == "done"
    assert calls["cancel"] == 1 and calls["status"] == 1  # asked, and did not send again
    assert len(db.session.scalars(select(Action).where(Action.kind == "credit")).all()) == 1


def test_refill_is_followed_with_refill_status(fast, people, demo_service, pick, provider, calls, ctx):
    customer, agent = people
    rec = pick(refillable)
    order = order_for(customer, demo_service, rec, status="Completed")
    ticket = file_ticket(customer, order, kind="refill", reason="dropped")
    refill = approve(ticket, agent, "refill")
    assert execution.run(refill.id) == "following"
    refill_id = db.session.get(Action, refill.id).provider_ref
    assert refill_id and provider.state.refills[int(refill_id)]["order"] == rec["order"]
    assert finishing.finish_action(refill.id) == "refill_requested"
    assert execution.run(refill.id) == "following"
    provider.advance(3000)
    outcome = execution.run(refill.id)
    status = provider.state.refills[int(refill_id)]["status"]
    assert outcome == {"Completed": "done", "Rejected": "needs_review"}[status]
    assert calls["refill"] == 1 and calls["refill_status"] == 2
    assert len(provider.state.refills) == 1


def test_refill_with_unknown_outcome_goes_to_review_and_is_never_sent_twice(fast, app, people, demo_service, pick,
                                                                           provider, calls, ctx):
    customer, agent = people
    order = order_for(customer, demo_service, pick(refillable), status="Completed")
    refill = approve(file_ticket(customer, order, kind="refill", reason="dropped"), agent, "refill")
    app.config["ACTIONS_PROVIDER_TIMEOUT"] = 0.5
    provider.set_faults(delay=1.5, actions=["refill"], remaining=1)
    assert execution.run(refill.id) == "needs_review"
    time.sleep(1.5)
    action = db.session.get(Action, refill.id, populate_existing=True)
    assert action.provider_ref is None and "outcome unknown" in action.last_error
    assert execution.run(refill.id) == "skipped:needs_review"
    assert calls["refill"] == 1 and len(provider.state.refills) == 1


def test_provider_down_retries_then_fails_visibly_and_retry_credits_once(fast, people, demo_service, pick, provider,
                                                                        login, client, ctx):
    customer, agent = people
    order = order_for(customer, demo_service, pick(cancellable), charge="4.00")
    ticket = file_ticket(customer, order, kind="cancel", reason="changed_mind")
    cancel = approve(ticket, agent, "cancel", "4.00")
    real_url = demo_service.provider.api_url
    demo_service.provider.api_url = "http://127.0.0.1:1/api/v2"  # nothing listens there
    db.session.commit()
    outcomes = run_until_settled(cancel.id)
    assert outcomes == ["retry:0s", "retry:0s", "failed"]
    action = db.session.get(Action, cancel.id, populate_existing=True)
    assert action.attempts == 3 and "gave up after 3 attempts" in action.last_error
    assert db.session.scalars(select(Action).where(Action.kind == "credit")).all() == []

    login(agent)
    page = client.get("/desk/actions/failed").get_data(as_text=True)
    assert "gave up after 3 attempts" in page and order.panel_id in page
    assert client.post(f"/desk/actions/{cancel.id}/retry").status_code == 400  # no CSRF token
    response = client.post(f"/desk/actions/{cancel.id}/retry", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    db.session.expire_all()
    assert (db.session.get(Action, cancel.id).state, db.session.get(Action, cancel.id).attempts) == ("queued", 0)

    demo_service.provider.api_url = real_url
    db.session.commit()
    assert execution.run(cancel.id) == "following"
    provider.advance(200)
    assert execution.run(cancel.id) == "done"
    [credit] = db.session.scalars(select(Action).where(Action.kind == "credit")).all()
    assert execution.run(credit.id) == "done"
    assert len(refund_credits(order.id)) == 1
    assert_ledger_invariant()


def test_ticket_page_panel_shows_actions(fast, people, demo_service, pick, provider, login, client, ctx):
    customer, agent = people
    order = order_for(customer, demo_service, pick(cancellable), charge="4.00")
    ticket = file_ticket(customer, order, kind="cancel", reason="changed_mind")
    cancel = approve(ticket, agent, "cancel", "4.00")
    db.session.get(Action, cancel.id).state = "failed"
    db.session.get(Action, cancel.id).last_error = "gave up: provider down"
    db.session.commit()
    login(agent)
    html = client.get(f"/desk/tickets/{ticket.id}").get_data(as_text=True)
    assert "Provider cancel" in html and "gave up: provider down" in html and "Retry" in html
