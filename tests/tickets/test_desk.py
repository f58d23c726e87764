"""Agents in the browser: the queue, its filters and pages, and the ticket page's actions."""
from __future__ import annotations

from datetime import timedelta

from app.db import utcnow
from app.extensions import db
from app.tickets import services
from app.tickets.models import Ticket
from tests.conftest import csrf_token


def file_ticket(customer, order, **fields):
    ticket = services.open_ticket(
        customer, kind=fields.get("kind", "refund"), reason=fields.get("reason", "partial_delivery"),
        subject=fields.get("subject", "Help"), body="Please help", order_ids=[order.panel_id],
    )
    db.session.commit()
    return ticket


def test_queue_is_for_agents_only(login, make_user, client):
    login(make_user("customer"))
    assert client.get("/desk/").status_code == 404


def test_queue_filters(login, make_user, make_order, client, ctx):
    agent = make_user("agent", name="Agent Smith")
    alice, bob = make_user("customer"), make_user("customer")
    a_order, b_order = make_order(alice), make_order(bob)
    refund = file_ticket(alice, a_order, subject="Alice refund")
    refill = file_ticket(bob, b_order, kind="refill", reason="dropped", subject="Bob refill")
    services.assign(refill, agent, agent)
    refund.resolution_due_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    login(agent)

    def subjects(**args):
        html = client.get("/desk/", query_string=args).get_data(as_text=True)
        return {s for s in ("Alice refund", "Bob refill") if s in html}

    assert subjects() == {"Alice refund", "Bob refill"}
    assert subjects(kind="refill") == {"Bob refill"}
    assert subjects(assignee="unassigned") == {"Alice refund"}
    assert subjects(assignee="me") == {"Bob refill"}
    assert subjects(order_id=a_order.panel_id.lower()) == {"Alice refund"}
    assert subjects(customer=bob.email) == {"Bob refill"}
    assert subjects(breached="1") == {"Alice refund"}
    assert subjects(status="open") == {"Bob refill"}
    assert subjects(status="resolved") == set()


def test_queue_keyset_pagination_walks_every_ticket_once(app, login, make_user, make_order, client, ctx):
    agent, customer = make_user("agent"), make_user("customer")
    order = make_order(customer)
    ids = {file_ticket(customer, order, subject=f"T{i}").id for i in range(7)}
    app.config["QUEUE_PAGE_SIZE"] = 3
    login(agent)
    seen, url = [], "/desk/"
    try:
        while url:
            html = client.get(url).get_data(as_text=True)
            seen += [int(x) for x in __import__("re").findall(r'data-ticket="(\d+)"', html)]
            match = __import__("re").search(r'href="(/desk/\?cursor=[^"]+)"', html)
            url = match.group(1).replace("&amp;", "&") if match else None
    finally:
        app.config["QUEUE_PAGE_SIZE"] = 50
    assert sorted(seen) == sorted(ids) and len(seen) == 7


def test_agent_replies_assigns_and_resolves(login, make_user, make_order, client, ctx):
    agent, customer = make_user("agent"), make_user("customer")
    ticket = file_ticket(customer, make_order(customer))
    login(agent)
    page = client.get(f"/desk/tickets/{ticket.id}").get_data(as_text=True)
    token = csrf_token(page)
    assert client.post(f"/desk/tickets/{ticket.id}/claim", data={"csrf_token": token}).status_code == 302
    client.post(f"/desk/tickets/{ticket.id}/reply", data={"csrf_token": token, "body": "Refunded.", "status": ""})
    client.post(f"/desk/tickets/{ticket.id}/reply",
                data={"csrf_token": token, "body": "Checked provider", "internal": "y", "status": ""})
    client.post(f"/desk/tickets/{ticket.id}/status", data={"csrf_token": token, "status": "resolved"})
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.assignee_id == agent.id
    assert ticket.status == "resolved" and ticket.first_responded_at is not None
    assert [(m.body, m.is_internal) for m in ticket.messages][1:] == [("Refunded.", False), ("Checked provider", True)]
    events = [e for e in ticket.events if e.action != "verdict"]
    assert [e.action for e in events] == [
        "created", "assigned", "status_changed", "reply_added", "status_changed", "note_added", "status_changed"]
    assert events[1].actor_id == agent.id and events[1].after == {"assignee": agent.email}


def test_internal_notes_are_hidden_from_the_customer(login, make_user, make_order, client, ctx):
    agent, customer = make_user("agent"), make_user("customer")
    ticket = file_ticket(customer, make_order(customer))
    services.add_message(ticket, agent, "Customer looks like a reseller abusing refunds", internal=True)
    db.session.commit()
    login(customer)
    assert "abusing refunds" not in client.get(f"/my/tickets/{ticket.id}").get_data(as_text=True)


def test_state_changes_need_post_and_csrf(login, make_user, make_order, client, ctx):
    agent, customer = make_user("agent"), make_user("customer")
    ticket = file_ticket(customer, make_order(customer))
    login(agent)
    assert client.get(f"/desk/tickets/{ticket.id}/claim").status_code == 405
    assert client.post(f"/desk/tickets/{ticket.id}/claim").status_code == 400
    assert client.post(f"/desk/tickets/{ticket.id}/status", data={"status": "closed"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).assignee_id is None


def test_presence_shows_other_agents(login, make_user, make_order, app, ctx):
    customer = make_user("customer")
    ticket = file_ticket(customer, make_order(customer))
    first, second = app.test_client(), app.test_client()
    login(make_user("agent", name="Ann"), first)
    login(make_user("agent", name="Ben"), second)
    token = csrf_token(first.get(f"/desk/tickets/{ticket.id}").get_data(as_text=True))
    assert first.post(f"/desk/tickets/{ticket.id}/presence", headers={"X-CSRFToken": token}).json == {"viewers": []}
    token2 = csrf_token(second.get(f"/desk/tickets/{ticket.id}").get_data(as_text=True))
    assert second.post(f"/desk/tickets/{ticket.id}/presence", headers={"X-CSRFToken": token2}).json == {"viewers": ["Ann"]}
    assert "Also viewing: Ben" in first.get(f"/desk/tickets/{ticket.id}").get_data(as_text=True)


def test_ticket_page_escapes_user_content(login, make_user, make_order, client, ctx):
    agent, customer = make_user("agent"), make_user("customer", name='"><img src=x onerror=alert(1)>')
    order = make_order(customer, link="javascript:alert(1)")
    ticket = file_ticket(customer, order, subject="<script>alert(1)</script>")
    login(agent)
    html = client.get(f"/desk/tickets/{ticket.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "<img src=x" not in html
    assert 'href="javascript:' not in html
