"""Verdicts on tickets, one-click approval, overrides, auto-approval and the policy setting."""
from __future__ import annotations

from decimal import Decimal

import pytest

from app.actions.models import Action
from app.extensions import db
from app.settings import services as settings
from app.tickets import services as tickets
from app.triage.models import Approval, Verdict
from tests.conftest import csrf_token


def file_ticket(customer, order, kind="refund", reason="partial_delivery"):
    ticket = tickets.open_ticket(customer, kind=kind, reason=reason, subject="Help", body="Please",
                                 order_ids=[order.panel_id])
    db.session.commit()
    return ticket


@pytest.fixture
def people(make_user):
    return make_user("customer"), make_user("agent"), make_user("admin")


def test_small_partial_credit_is_auto_approved(people, make_order, ctx):
    customer, _, _ = people
    order = make_order(customer, status="Partial", remains=400, charge=Decimal("2.50"))
    ticket = file_ticket(customer, order)
    [verdict] = ticket.verdicts
    assert (verdict.decision, verdict.amount, verdict.policy) == ("credit", Decimal("1.00000"), "smm-panel-bot")
    assert verdict.clauses == ["2"] and verdict.explanation
    assert verdict.approval.is_auto and verdict.approval.approved_by_id is None
    [action] = verdict.approval.actions
    assert (action.kind, action.amount, action.state, action.cause) == ("credit", Decimal("1.00000"), "queued", "status:partial")
    approved = [e for e in ticket.events if e.action == "approved"]
    assert approved[0].actor_id is None and approved[0].after["auto"] is True


def test_agent_approves_once_over_the_api(people, make_order, api, ctx):
    customer, agent, _ = people
    order = make_order(customer, status="Partial", remains=500, charge=Decimal("50.00"))
    ticket = file_ticket(customer, order)
    assert ticket.verdicts[0].approval is None  # 25.00 is over the 5.00 auto limit
    caller = api(agent)
    first = caller.post(f"/api/v1/tickets/{ticket.id}/approve", json={})
    assert first.status_code == 202
    [action] = first.json["actions"]
    assert action["kind"] == "credit" and action["amount"] == "25.00" and action["state"] == "queued"
    again = caller.post(f"/api/v1/tickets/{ticket.id}/approve", json={"order_id": order.panel_id})
    assert again.status_code == 202 and again.json["actions"] == first.json["actions"]
    assert db.session.scalar(db.select(db.func.count(Action.id))) == 1
    assert db.session.scalar(db.select(db.func.count(Approval.id))) == 1
    detail = caller.get(f"/api/v1/tickets/{ticket.id}").json
    assert detail["verdicts"] == [{
        "order_id": order.panel_id, "decision": "credit", "amount": "25.00", "clauses": ["2"],
        "explanation": detail["verdicts"][0]["explanation"], "policy": "smm-panel-bot",
        "policy_version": detail["verdicts"][0]["policy_version"],
        "approval": detail["verdicts"][0]["approval"],
    }]
    assert detail["verdicts"][0]["approval"]["auto"] is False


def test_customers_cannot_approve(people, make_order, api, ctx):
    customer, _, _ = people
    ticket = file_ticket(customer, make_order(customer, status="Partial", remains=500, charge=Decimal("50")))
    assert api(customer).post(f"/api/v1/tickets/{ticket.id}/approve", json={}).status_code == 403


def test_override_needs_a_note_and_a_sane_amount(people, make_order, api, ctx):
    customer, agent, _ = people
    order = make_order(customer, status="Completed", charge=Decimal("3.00"))
    ticket = file_ticket(customer, order, reason="not_satisfied")
    assert ticket.verdicts[0].decision == "deny"
    caller = api(agent)
    url = f"/api/v1/tickets/{ticket.id}/approve"
    assert caller.post(url, json={"override": {"decision": "credit", "amount": "1"}}).json == {
        "error": "An override needs a note saying why."}
    too_much = caller.post(url, json={"override": {"decision": "credit", "amount": "3.01", "note": "goodwill"}})
    assert too_much.status_code == 422 and too_much.json["error"] == f"At most 3 can be credited for {order.panel_id}."
    assert caller.post(url, json={"override": "credit"}).status_code == 422
    ok = caller.post(url, json={"override": {"decision": "credit", "amount": "1.50", "note": "goodwill"}})
    assert ok.status_code == 202 and ok.json["actions"][0]["amount"] == "1.50"
    db.session.expire_all()
    approval = db.session.scalars(db.select(Approval)).one()
    assert approval.is_override and approval.note == "goodwill"
    assert approval.actions[0].cause == f"override:{approval.id}"
    overridden = [e for e in approval.verdict.ticket.events if e.action == "overridden"][0]
    assert overridden.actor_id == agent.id and overridden.before["decision"] == "deny"
    customer_view = api(customer).get(f"/api/v1/tickets/{ticket.id}").json["verdicts"][0]["approval"]
    assert customer_view["override"] is True and customer_view["note"] is None
    assert caller.get(f"/api/v1/tickets/{ticket.id}").json["verdicts"][0]["approval"]["note"] == "goodwill"


def test_review_needs_an_override(people, make_order, api, ctx):
    customer, agent, _ = people
    order = make_order(customer, status="Weird status")
    ticket = file_ticket(customer, order)
    assert ticket.verdicts[0].decision == "review"
    response = api(agent).post(f"/api/v1/tickets/{ticket.id}/approve", json={})
    assert response.status_code == 409


def test_approve_and_override_in_the_browser(people, make_order, login, client, ctx):
    customer, agent, _ = people
    big = make_order(customer, status="Partial", remains=500, charge=Decimal("50.00"))
    done = make_order(customer, status="Completed", charge=Decimal("3.00"))
    ticket = tickets.open_ticket(customer, kind="refund", reason="partial_delivery", subject="Two orders",
                                 body="b", order_ids=[big.panel_id, done.panel_id])
    db.session.commit()
    login(agent)
    page = client.get(f"/desk/tickets/{ticket.id}").get_data(as_text=True)
    assert "Approve credit" in page and "§2" in page
    token = csrf_token(page)
    client.post(f"/desk/tickets/{ticket.id}/approve", data={"csrf_token": token, "order_id": big.panel_id})
    response = client.post(f"/desk/tickets/{ticket.id}/override", data={
        "csrf_token": token, "order_id": done.panel_id, "decision": "deny", "amount": "", "note": "Confirmed"})
    assert response.status_code == 302
    db.session.expire_all()
    decided = {v.order.panel_id: (v.approval.decision, len(v.approval.actions)) for v in db.session.scalars(db.select(Verdict))}
    assert decided == {big.panel_id: ("credit", 1), done.panel_id: ("deny", 0)}


def test_queue_filters_by_decision(people, make_order, login, client, ctx):
    customer, agent, _ = people
    credit = file_ticket(customer, make_order(customer, status="Partial", remains=10))
    deny = file_ticket(customer, make_order(customer, status="Completed"), reason="not_satisfied")
    login(agent)
    html = client.get("/desk/", query_string={"decision": "deny"}).get_data(as_text=True)
    assert f'data-ticket="{deny.id}"' in html and f'data-ticket="{credit.id}"' not in html


def test_admin_switches_policy_and_limits(people, make_order, login, client, ctx):
    customer, agent, admin = people
    login(agent)
    assert client.get("/admin/policy").status_code == 404
    login(admin)
    token = csrf_token(client.get("/admin/policy").get_data(as_text=True))
    client.post("/admin/policy", data={"csrf_token": token, "policy": "smmatic", "credit": "", "cancel": "", "refill": ""})
    db.session.expire_all()
    assert settings.active_policy_name() == "smmatic"
    assert settings.auto_approval_limits()["credit"] is None
    ticket = file_ticket(customer, make_order(customer, status="Partial", remains=400))
    assert ticket.verdicts[0].decision == "deny" and ticket.verdicts[0].policy == "smmatic"


def test_verdict_follows_order_changes(people, make_order, ctx):
    from app.triage.services import refresh_for_order

    customer, _, _ = people
    settings.set_auto_approval_limits({"credit": None})
    order = make_order(customer, status="In progress", remains=600, charge=Decimal("2.00"))
    ticket = file_ticket(customer, order, reason="not_delivered")
    first = ticket.verdicts[0].decision
    order.status, order.remains = "Canceled", 1000
    refresh_for_order(order)
    db.session.commit()
    verdict = ticket.verdicts[0]
    assert first != "credit" and (verdict.decision, verdict.amount) == ("credit", Decimal("2.00000"))
    assert [e.action for e in ticket.events].count("verdict") == 2
