"""Tickets over the API: file, list with the queue's filters, read, and reply."""
from __future__ import annotations

import dataclasses

from flask import current_app, g, jsonify, request

from app.api.base import bp, json_body
from app.api.serializers import message_dict, ticket_detail, ticket_summary
from app.attachments.services import uploads_from_files
from app.auth.services import find_user_by_email
from app.db import utcnow
from app.errors import Forbidden, ValidationError
from app.extensions import db, limiter
from app.actions.services import action_as_dict
from app.security import row_int
from app.tickets import queries, services
from app.triage import services as triage


def _ticket_customer(data: dict):
    """Customers file for themselves; an agent files for the customer named by email."""
    user = g.api_user
    if not user.is_agent:
        return user
    customer = find_user_by_email(str(data.get("customer") or ""))
    if customer is None or customer.is_agent:
        raise ValidationError("Agents must name the customer by email in `customer`.", field="customer")
    return customer


@bp.post("/tickets")
@limiter.limit(lambda: current_app.config["TICKET_CREATE_LIMITS"], key_func=lambda: f"api-ticket:{g.api_user.id}")
def create_ticket():
    data = json_body()
    customer = _ticket_customer(data)
    ticket = services.open_ticket(
        customer,
        kind=str(data.get("kind") or ""), reason=str(data.get("reason") or ""),
        subject=str(data.get("subject") or ""), body=str(data.get("body") or ""),
        order_ids=data.get("order_ids"), source="api", actor=g.api_user,
        uploads=uploads_from_files(request.files.getlist("files") + request.files.getlist("screenshots")),
    )
    db.session.commit()
    return _detail_response(ticket), 201


@bp.get("/tickets")
def list_tickets():
    flt = queries.QueueFilter.from_args(request.args)
    if request.args.get("status") is None and not g.api_user.is_agent:
        flt = dataclasses.replace(flt, status="all")
    limit = min(max(request.args.get("limit", 50, type=row_int), 1), 200)
    tickets, next_cursor = queries.queue_page(flt, g.api_user, utcnow(), limit)
    return jsonify(tickets=[ticket_summary(t) for t in tickets], next_cursor=next_cursor)


def _detail_response(ticket):
    user = g.api_user
    return jsonify(ticket_detail(
        ticket, queries.visible_messages(ticket, user), queries.visible_attachments(ticket, user), user.is_agent
    ))


@bp.get("/tickets/<int:ticket_id>")
def get_ticket(ticket_id: int):
    return _detail_response(queries.ticket_for(g.api_user, ticket_id))


@bp.post("/tickets/<int:ticket_id>/messages")
def post_message(ticket_id: int):
    ticket = queries.ticket_for(g.api_user, ticket_id)
    data = json_body()
    internal = data.get("internal") in (True, "true", "1", 1)
    if internal and not g.api_user.is_agent:
        raise Forbidden("Only agents can write internal notes.")
    message = services.add_message(
        ticket, g.api_user, str(data.get("body") or ""), internal=internal, source="api",
        uploads=uploads_from_files(request.files.getlist("files")),
    )
    db.session.commit()
    return jsonify(message_dict(message)), 201


@bp.post("/tickets/<int:ticket_id>/approve")
def approve_ticket(ticket_id: int):
    """Agents only. Approving again returns the same actions and creates nothing new."""
    if not g.api_user.is_agent:
        raise Forbidden("Only agents can approve verdicts.")
    ticket = queries.ticket_for(g.api_user, ticket_id)
    data = json_body()
    order_id = data.get("order_id")
    actions = triage.approve(ticket, g.api_user, str(order_id) if order_id else None,
                             triage.Override.parse(data.get("override")))
    db.session.commit()
    return jsonify(ticket_id=ticket.id, actions=[action_as_dict(a) for a in actions]), 202
