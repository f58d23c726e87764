"""A few inbound emails for the demo panel, sent through the real intake pipeline.

They show the email door at work after `make run`: a customer's refill request becomes a
ticket, an out-of-office reply is ignored, and a stranger quoting someone else's ticket
waits in quarantine for an admin.
"""
from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import select

from app.auth.services import find_user_by_email
from app.db import utcnow
from app.extensions import db
from app.intake.services import ingest_raw
from app.orders.models import Order
from app.tickets.models import Ticket


def _message(sender: str, subject: str, body: str, **headers) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "support@desk.localhost", subject
    message["Date"], message["Message-ID"] = format_datetime(utcnow()), make_msgid(domain="mail.demo.test")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def demo_emails() -> list[bytes]:
    customer = find_user_by_email("customer@demo.test")
    order = db.session.scalar(select(Order).where(Order.customer_id == customer.id, Order.status == "Completed")
                              .order_by(Order.id))
    someone_elses = db.session.scalar(select(Ticket).where(Ticket.customer_id != customer.id).order_by(Ticket.id))
    return [
        _message("Casey Customer <customer@demo.test>", f"Followers dropped on {order.panel_id}",
                 f"Hi, my order {order.panel_id} lost about a third of its followers this week. "
                 "It came with a refill guarantee, can you refill it?\n\nThanks, Casey"),
        _message("Casey Customer <customer@demo.test>", "Out of office: Re: your ticket",
                 "I am away until Monday and will answer then.", Auto_Submitted="auto-replied"),
        _message("Someone <stranger@elsewhere.example>", f"Re: [#{someone_elses.id}] {someone_elses.subject}",
                 "Please send the refund for this ticket to my account instead."),
    ]


def load_demo_emails() -> list[str]:
    """Run each demo email through intake (each commits on its own); returns their outcomes."""
    return [ingest_raw(raw, "demo").outcome for raw in demo_emails()]
