"""JSON API v1: tickets and orders, and that a customer's token sees only their own."""
from __future__ import annotations

import io

import pytest

from tests.tickets.test_portal import png_bytes


@pytest.fixture
def world(make_user, make_order):
    alice, bob, agent = make_user("customer"), make_user("customer"), make_user("agent")
    return {
        "alice": alice, "bob": bob, "agent": agent,
        "a_order": make_order(alice, status="Partial", remains=300), "b_order": make_order(bob),
    }


def create(caller, order_id, **extra):
    body = {"kind": "refund", "reason": "partial_delivery", "order_ids": [order_id],
            "subject": "Partial order", "body": "Please refund the rest", **extra}
    return caller.post("/api/v1/tickets", json=body)


def test_customer_creates_and_reads_a_ticket(api, world):
    alice = api(world["alice"])
    response = create(alice, world["a_order"].panel_id)
    assert response.status_code == 201
    ticket = response.json
    assert ticket["status"] == "new" and ticket["source"] == "api"
    assert ticket["orders"][0]["id"] == world["a_order"].panel_id
    assert ticket["orders"][0]["charge"] == "2.50" and ticket["orders"][0]["remains"] == 300
    assert ticket["messages"][0]["body"] == "Please refund the rest"
    assert alice.get(f"/api/v1/tickets/{ticket['id']}").json["id"] == ticket["id"]
    listing = alice.get("/api/v1/tickets").json
    assert [t["id"] for t in listing["tickets"]] == [ticket["id"]] and listing["next_cursor"] is None


def test_multipart_with_screenshot(api, world):
    response = api(world["alice"]).post("/api/v1/tickets", data={
        "kind": "refund", "reason": "partial_delivery", "order_ids": world["a_order"].panel_id,
        "subject": "With proof", "body": "see image", "files": (io.BytesIO(png_bytes()), "proof.png"),
    }, content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    [attachment] = response.json["attachments"]
    assert attachment["content_type"] == "image/png" and attachment["name"] == "proof.png"


def test_errors_are_json_with_the_right_status(api, world, client):
    alice = api(world["alice"])
    assert client.get("/api/v1/tickets").status_code == 401
    assert client.get("/api/v1/tickets").json == {
        "error": "A valid API token is required (Authorization: Bearer TOKEN)."}
    assert client.get("/api/v1/tickets", headers={"Authorization": "Bearer desk_nope"}).status_code == 401
    bad = create(alice, world["b_order"].panel_id)
    assert bad.status_code == 422 and bad.json == {"error": f"No order {world['b_order'].panel_id} on your account."}
    assert create(alice, world["a_order"].panel_id, kind="bogus").json == {"error": "Choose a ticket type from the list."}
    assert alice.post("/api/v1/tickets", data="[1]", content_type="application/json").status_code == 422
    assert alice.get("/api/v1/nothing-here").status_code == 404
    assert alice.get("/api/v1/nothing-here").json["error"]


def test_cross_customer_reads_and_writes_are_404(api, world):
    ticket_id = create(api(world["alice"]), world["a_order"].panel_id).json["id"]
    bob = api(world["bob"])
    assert bob.get(f"/api/v1/tickets/{ticket_id}").status_code == 404
    assert bob.post(f"/api/v1/tickets/{ticket_id}/messages", json={"body": "hi"}).status_code == 404
    assert bob.get(f"/api/v1/orders/{world['a_order'].panel_id}").status_code == 404
    assert bob.get("/api/v1/tickets", query_string={"customer": world["alice"].email, "status": "all"}).json["tickets"] == []
    assert bob.get("/api/v1/orders", query_string={"customer": world["alice"].email}).json["orders"][0]["id"] == world["b_order"].panel_id
    assert bob.get(f"/api/v1/tickets/{ticket_id + 1000}").status_code == 404


def test_mass_assignment_is_ignored(api, world):
    response = create(api(world["alice"]), world["a_order"].panel_id,
                      customer_id=world["bob"].id, status="resolved", amount="999", approved=True)
    assert response.status_code == 201
    assert response.json["customer"]["id"] == world["alice"].id and response.json["status"] == "new"


def test_messages_and_internal_notes(api, world):
    alice, agent = api(world["alice"]), api(world["agent"])
    ticket_id = create(alice, world["a_order"].panel_id).json["id"]
    assert alice.post(f"/api/v1/tickets/{ticket_id}/messages", json={"body": "secret", "internal": True}).status_code == 403
    assert agent.post(f"/api/v1/tickets/{ticket_id}/messages", json={"body": "note", "internal": True}).status_code == 201
    assert agent.post(f"/api/v1/tickets/{ticket_id}/messages", json={"body": "We are on it"}).status_code == 201
    seen_by_alice = [m["body"] for m in alice.get(f"/api/v1/tickets/{ticket_id}").json["messages"]]
    assert seen_by_alice == ["Please refund the rest", "We are on it"]
    assert len(agent.get(f"/api/v1/tickets/{ticket_id}").json["messages"]) == 3
    assert alice.post(f"/api/v1/tickets/{ticket_id}/messages", json={"body": ""}).json == {"error": "Write a message first."}


def test_agent_lists_with_queue_filters_and_cursor(api, world):
    alice = api(world["alice"])
    ids = [create(alice, world["a_order"].panel_id).json["id"] for _ in range(5)]
    agent = api(world["agent"])
    page = agent.get("/api/v1/tickets", query_string={"limit": 2, "customer": world["alice"].email}).json
    seen = [t["id"] for t in page["tickets"]]
    while page["next_cursor"]:
        page = agent.get("/api/v1/tickets", query_string={"limit": 2, "cursor": page["next_cursor"]}).json
        seen += [t["id"] for t in page["tickets"]]
    assert sorted(seen) == sorted(ids)
    assert agent.get("/api/v1/tickets", query_string={"cursor": "garbage!"}).status_code == 422
    assert agent.get("/api/v1/tickets", query_string={"order_id": world["b_order"].panel_id}).json["tickets"] == []


def test_agent_files_for_a_named_customer(api, world):
    agent = api(world["agent"])
    assert create(agent, world["a_order"].panel_id).status_code == 422
    response = create(agent, world["a_order"].panel_id, customer=world["alice"].email)
    assert response.status_code == 201 and response.json["customer"]["email"] == world["alice"].email


def test_orders_api_shape(api, world):
    order = api(world["alice"]).get(f"/api/v1/orders/{world['a_order'].panel_id.lower()}").json
    assert set(order) == {"id", "status", "charge", "currency", "quantity", "remains", "start_count",
                          "refunded", "link", "service", "created_at", "status_changed_at"}
    assert order["refunded"] == "0.00" and order["status"] == "Partial"
    agent_view = api(world["agent"]).get("/api/v1/orders", query_string={"customer": world["bob"].email}).json
    assert [o["id"] for o in agent_view["orders"]] == [world["b_order"].panel_id]
