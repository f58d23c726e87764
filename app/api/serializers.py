"""How tickets look in the API: one place, so list and detail agree."""
from __future__ import annotations

from flask import url_for

from app.db import format_money, utcnow
from app.orders.services import order_as_dict
from app.tickets.models import Attachment, Message, Ticket


def _iso(value):
    return value.isoformat() if value else None


def _person(user):
    return {"id": user.id, "email": user.email, "name": user.name} if user else None


def ticket_summary(ticket: Ticket) -> dict:
    return {
        "id": ticket.id,
        "reference": ticket.reference,
        "kind": ticket.kind,
        "reason": ticket.reason,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "source": ticket.source,
        "customer": _person(ticket.customer),
        "assignee": _person(ticket.assignee),
        "order_ids": [order.panel_id for order in ticket.orders],
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "first_response_due_at": _iso(ticket.first_response_due_at),
        "resolution_due_at": _iso(ticket.resolution_due_at),
        "sla_breached": ticket.sla_breached(utcnow()),
    }


def attachment_dict(attachment: Attachment) -> dict:
    return {
        "id": attachment.id,
        "message_id": attachment.message_id,
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "width": attachment.width,
        "height": attachment.height,
        "url": url_for("attachments.download", attachment_id=attachment.id, _external=True),
        "thumbnail_url": url_for("attachments.thumbnail", attachment_id=attachment.id, _external=True),
    }


def message_dict(message: Message) -> dict:
    return {
        "id": message.id,
        "author": _person(message.author),
        "internal": message.is_internal,
        "body": message.body,
        "source": message.source,
        "created_at": _iso(message.created_at),
        "attachments": [a.id for a in message.attachments],
    }


def verdict_dict(verdict, for_agent: bool) -> dict:
    """An override's note is the agent's reasoning: customers see the decision, not the note."""
    approval = verdict.approval
    return {
        "order_id": verdict.order.panel_id if verdict.order else None,
        "decision": verdict.decision,
        "amount": format_money(verdict.amount),
        "clauses": list(verdict.clauses or []),
        "explanation": verdict.explanation,
        "policy": verdict.policy,
        "policy_version": verdict.policy_version,
        "approval": None if approval is None else {
            "decision": approval.decision, "amount": format_money(approval.amount), "auto": approval.is_auto,
            "override": approval.is_override, "note": approval.note if for_agent else None, "created_at": _iso(approval.created_at),
        },
    }


def ticket_detail(ticket: Ticket, messages, attachments, for_agent: bool) -> dict:
    data = ticket_summary(ticket)
    data["orders"] = [order_as_dict(order) for order in ticket.orders]
    data["verdicts"] = [verdict_dict(v, for_agent) for v in ticket.verdicts]
    data["messages"] = [message_dict(m) for m in messages]
    data["attachments"] = [attachment_dict(a) for a in attachments]
    return data
