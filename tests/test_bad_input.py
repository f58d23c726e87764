"""Hostile or odd input gets a clear 4xx, never a 500 (findings of a review, kept as tests)."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.tickets import services as tickets


@pytest.fixture
def customer(make_user):
    return make_user("customer")


@pytest.mark.parametrize("order_ids", [5, True, {"a": 1}, 1.5])
def test_order_ids_of_the_wrong_type(api, customer, order_ids):
    response = api(customer).post("/api/v1/tickets", json={
        "kind": "refund", "reason": "other", "order_ids": order_ids, "subject": "s", "body": "b"})
    assert response.status_code == 422 and "order_ids" in response.json["error"]


@pytest.mark.parametrize("path", [
    "/api/v1/tickets?assignee=²", "/api/v1/tickets?assignee=" + "9" * 30, "/api/v1/tickets/" + "9" * 30,
    "/api/v1/orders?page=" + "9" * 30, "/api/v1/orders?page=abc&per_page=-5", "/api/v1/wallet?before=" + "9" * 30,
    "/api/v1/tickets?limit=-5",
])
def test_odd_numbers_in_the_api(api, customer, path):
    assert api(customer).get(path).status_code in (200, 404)


@pytest.mark.parametrize("path", [
    "/desk/?assignee=²", "/desk/?assignee=" + "9" * 30, "/desk/tickets/" + "9" * 30, "/attachments/" + "9" * 30,
    "/orders?page=" + "9" * 30, "/desk/reports/refunds?to=0001-01-01", "/desk/reports/refunds?to=9999-12-31",
    "/desk/wallet?customer=x@example.com&before=" + "9" * 30,
])
def test_odd_numbers_in_pages(login, make_user, client, path):
    login(make_user("agent"))
    assert client.get(path).status_code in (200, 404, 422)


def test_a_customers_queue_ignores_agent_only_filters(api, customer, make_user, make_order, ctx):
    """Signals are computed from other customers' data: a customer's filter must not reveal them."""
    mine = make_order(customer, link="https://www.instagram.com/competitor/")
    ticket = tickets.open_ticket(customer, kind="refund", reason="other", subject="s", body="b",
                                 order_ids=[mine.panel_id])
    db.session.commit()
    make_order(make_user("customer"), link="https://www.instagram.com/competitor/")  # someone else's, overlapping
    for signal in ("overlap", "reused_screenshot", "chargeback", "repeat_refunder"):
        listing = api(customer).get("/api/v1/tickets", query_string={"status": "all", "signal": signal}).json
        assert [t["id"] for t in listing["tickets"]] == [ticket.id]
