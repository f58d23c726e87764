"""Customers in the browser: file a ticket, follow it, reply; never see someone else's."""
from __future__ import annotations

import io

from PIL import Image

from app.extensions import db
from app.tickets.models import Ticket
from tests.conftest import csrf_token


def png_bytes(size=(40, 30), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def new_ticket_form(client, **overrides):
    page = client.get("/my/tickets/new")
    data = {
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "kind": "refund", "reason": "partial_delivery", "order_ids": "", "subject": "Half my followers",
        "body": "Only half arrived.",
    }
    data.update(overrides)
    return data


def test_customer_files_ticket_with_screenshot(login, make_user, make_order, client, ctx):
    customer = make_user("customer")
    order = make_order(customer, status="Partial", remains=400)
    login(customer)
    data = new_ticket_form(client, order_ids=order.panel_id.lower())
    data["screenshots"] = [(io.BytesIO(png_bytes()), "proof.png")]
    response = client.post("/my/tickets/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:600]
    ticket = db.session.scalars(db.select(Ticket)).one()
    assert [o.panel_id for o in ticket.orders] == [order.panel_id]
    assert ticket.status == "new" and ticket.source == "web"
    assert len(ticket.attachments) == 1 and ticket.attachments[0].content_type == "image/png"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Half my followers" in page and f"/attachments/{ticket.attachments[0].id}/thumbnail" in page


def test_unknown_and_foreign_order_ids_are_named_in_the_error(login, make_user, make_order, client):
    customer, other = make_user("customer"), make_user("customer")
    mine = make_order(customer)
    theirs = make_order(other)
    login(customer)
    data = new_ticket_form(client, order_ids=f"{mine.panel_id}, {theirs.panel_id} SMM999999")
    response = client.post("/my/tickets/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f"No orders {theirs.panel_id}, SMM999999 on your account." in html


def test_refund_ticket_needs_an_order(login, make_user, client):
    login(make_user("customer"))
    response = client.post("/my/tickets/new", data=new_ticket_form(client))
    assert response.status_code == 422
    assert "A refund ticket needs at least one order ID." in response.get_data(as_text=True)


def test_non_image_upload_is_refused_by_content(login, make_user, make_order, client, ctx):
    customer = make_user("customer")
    order = make_order(customer)
    login(customer)
    data = new_ticket_form(client, order_ids=order.panel_id)
    data["screenshots"] = [(io.BytesIO(b"<html><script>alert(1)</script></html>"), "evil.png")]
    response = client.post("/my/tickets/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "evil.png: it is not a PNG, JPEG, WebP or GIF image." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Ticket.id))) == 0


def test_customer_cannot_see_another_customers_ticket(login, make_user, make_order, client, ctx):
    owner, stranger = make_user("customer"), make_user("customer")
    order = make_order(owner)
    login(owner)
    client.post("/my/tickets/new", data=new_ticket_form(client, order_ids=order.panel_id))
    ticket = db.session.scalars(db.select(Ticket)).one()
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/my/tickets").get_data(as_text=True))})
    login(stranger)
    assert client.get(f"/my/tickets/{ticket.id}").status_code == 404
    page = client.get("/my/tickets")
    reply = client.post(f"/my/tickets/{ticket.id}", data={
        "csrf_token": csrf_token(page.get_data(as_text=True)), "body": "mine now"})
    assert reply.status_code == 404
    assert client.get(f"/desk/tickets/{ticket.id}").status_code == 404


def test_customer_reply_reopens_a_waiting_ticket(login, make_user, make_order, client, ctx):
    customer = make_user("customer")
    order = make_order(customer)
    login(customer)
    client.post("/my/tickets/new", data=new_ticket_form(client, order_ids=order.panel_id))
    ticket = db.session.scalars(db.select(Ticket)).one()
    ticket.status = "resolved"
    db.session.commit()
    page = client.get(f"/my/tickets/{ticket.id}")
    client.post(f"/my/tickets/{ticket.id}", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                                   "body": "It dropped again"})
    db.session.refresh(ticket)
    assert ticket.status == "open"
    assert [e.action for e in ticket.events][-1] == "status_changed"
