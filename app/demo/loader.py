"""Build the demo panel: providers, services, three customers with ~200 orders, ~50 tickets.

Orders come from `app.providers.demo_world`, the same data the demo provider serves,
so the desk's order IDs are ones the provider knows.
"""
from __future__ import annotations

import io
import random
from datetime import datetime, timedelta
from decimal import Decimal

from PIL import Image, ImageDraw

from app.attachments.services import Upload
from app.auth.models import Role
from app.auth.services import count_users, create_user
from app.db import utcnow
from app.demo.scripts import CANNED_REPLIES, CUSTOMERS, STAFF, TICKET_SCRIPTS
from app.extensions import db
from app.orders.models import Order
from app.providers import demo_world
from app.providers.models import Provider, Service
from app.tickets import services as tickets
from app.tickets.models import CannedReply, Ticket

DEMO_PASSWORD = "demo-password"
PANEL_MARKUP = Decimal("1.6")


def database_is_empty() -> bool:
    return count_users() == 0


def load_demo(provider_url: str, provider_key: str, now: datetime | None = None) -> dict:
    """Create the demo panel in the current session (the caller commits). Returns counts."""
    now = now or utcnow()
    staff = {email: create_user(email, DEMO_PASSWORD, name, Role(role), email_verified=True)
             for email, name, role in STAFF}
    customers = [create_user(email, DEMO_PASSWORD, name, email_verified=True) for email, name in CUSTOMERS]
    services = _load_catalogue(provider_url, provider_key)
    orders = _load_orders(customers, services, now)
    _load_wallets(customers, orders)
    db.session.add_all(CannedReply(title=t, body=b) for t, b in CANNED_REPLIES)
    ticket_count = _load_tickets(customers, orders, list(staff.values()), now)
    _load_refund_history(orders, customers, now)
    return {"customers": len(customers), "orders": len(orders), "tickets": ticket_count}


def _load_catalogue(url: str, key: str) -> dict[int, Service]:
    providers = {}
    for spec in demo_world.DEMO_PROVIDERS:
        providers[spec["key"]] = Provider(name=spec["name"], api_url=url, api_key=key)
    services = {}
    for spec in demo_world.DEMO_SERVICES:
        services[spec["service"]] = Service(
            provider=providers[spec["provider"]], provider_service_id=str(spec["service"]),
            name=spec["name"], category=spec["category"], rate=Decimal(spec["rate"]),
            refill=spec["refill"], refill_days=spec["refill_days"], cancel=spec["cancel"],
        )
    db.session.add_all(providers.values())
    db.session.add_all(services.values())
    db.session.flush()
    return services


def _load_orders(customers, services, now) -> list[Order]:
    orders = []
    for number, spec in enumerate(demo_world.demo_orders(count=200, now=now), start=10_001):
        charge = (Decimal(spec["charge"]) * PANEL_MARKUP).quantize(Decimal("0.00001"))
        orders.append(Order(
            panel_id=f"SMM{number}", customer=customers[spec["customer"]],
            service=services[spec["service"]], link=spec["link"], quantity=spec["quantity"],
            charge=charge, currency=spec["currency"], status=spec["status"],
            start_count=spec["start_count"], remains=spec["remains"],
            provider_order_id=str(spec["order"]), created_at=spec["created_at"],
            status_changed_at=spec["status_changed_at"],
            refunded=charge if spec["status"] == "Refunded" else Decimal("0"),
        ))
    db.session.add_all(orders)
    db.session.flush()
    return orders


def _load_wallets(customers, orders) -> None:
    """A deposit per customer covering their orders (plus some change) and each order's charge,
    so wallet balances look like a real panel's; dated like the orders they paid for."""
    from app.wallet import services as wallet

    for customer in customers:
        own = [o for o in orders if o.customer_id == customer.id]
        if not own:
            continue
        spent = sum((o.charge for o in own), Decimal("0"))
        wallet.deposit(customer.id, (spent / 50).to_integral_value(rounding="ROUND_CEILING") * 50 + 25,
                       f"demo-{customer.id}", memo="Card top-up",
                       created_at=min(o.created_at for o in own) - timedelta(hours=1))
        for order in own:
            wallet.charge_order(order)


def _load_tickets(customers, orders, staff, now) -> int:
    """File each scripted ticket, then play its agent side and age it so SLAs vary."""
    rng = random.Random(11)
    agents = [u for u in staff if u.is_agent]
    count = 0
    for index in range(50):
        script = TICKET_SCRIPTS[index % len(TICKET_SCRIPTS)]
        candidates = [o for o in orders if o.status in script["statuses"]] or orders
        order = rng.choice(candidates)
        customer = next(c for c in customers if c.id == order.customer_id)
        uploads = [Upload("screenshot.png", _screenshot(order))] if index % 4 == 0 else []
        ticket = tickets.open_ticket(
            customer, kind=script["kind"], reason=script["reason"], subject=script["subject"],
            body=script["body"].format(order=order.panel_id), order_ids=[order.panel_id], uploads=uploads,
        )
        _age(ticket, now - timedelta(hours=rng.randint(50, 90) if index % 6 == 0 else rng.randint(0, 30), minutes=rng.randint(0, 59)))
        _play_agent_side(ticket, script, rng.choice(agents), rng, now)
        count += 1
    return count


def _age(ticket: Ticket, filed_at: datetime) -> None:
    ticket.created_at = ticket.updated_at = filed_at
    ticket.first_response_due_at, ticket.resolution_due_at = tickets.sla_due(ticket.priority, filed_at)
    for item in (*ticket.messages, *ticket.events):
        item.created_at = filed_at


def _play_agent_side(ticket: Ticket, script: dict, agent, rng: random.Random, now: datetime) -> None:
    """Answer some tickets, then date what the agent did a few hours after the filing."""
    outcome = rng.choice(("new", "new", "assigned", "replied", "resolved", "closed"))
    if outcome == "new":
        return
    already = len(ticket.events), len(ticket.messages)
    tickets.assign(ticket, agent, agent)
    if outcome != "assigned":
        tickets.add_message(ticket, agent, script["agent_reply"].format(order=ticket.orders[0].panel_id))
    if outcome in ("resolved", "closed"):
        tickets.change_status(ticket, agent, "resolved")
    if outcome == "closed":
        tickets.change_status(ticket, agent, "closed")
    acted_at = min(ticket.created_at + timedelta(minutes=rng.randint(20, 9 * 60)), now)
    for item in (*ticket.events[already[0]:], *ticket.messages[already[1]:]):
        item.created_at = acted_at
    ticket.updated_at = acted_at
    if ticket.first_responded_at is not None:
        ticket.first_responded_at = acted_at
    if ticket.resolved_at is not None:
        ticket.resolved_at = acted_at


def _screenshot(order: Order) -> bytes:
    """A small drawn 'screenshot' of the order's counter, so demo tickets have images."""
    image = Image.new("RGB", (640, 360), (245, 247, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 640, 56), fill=(64, 93, 230))
    draw.text((20, 20), f"{order.link[:60]}", fill=(255, 255, 255))
    draw.text((20, 100), f"Order {order.panel_id}  status: {order.status}", fill=(30, 30, 30))
    draw.text((20, 140), f"Ordered {order.quantity}, start count {order.start_count}", fill=(30, 30, 30))
    draw.text((20, 180), f"Remains {order.remains}", fill=(200, 40, 40))
    _draw_avatar(draw, order.panel_id)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _draw_avatar(draw, seed: str) -> None:
    """A profile picture of a few coloured discs: real screenshots differ in pictures, not only in digits,
    and without it every demo screenshot would look like a reused one to the perceptual hash."""
    rng = random.Random(seed)
    for _ in range(3):
        x, y, r = rng.randint(300, 560), rng.randint(80, 280), rng.randint(30, 70)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randint(0, 255) for _ in range(3)))


def _load_refund_history(orders, customers, now: datetime) -> None:
    """Past refunds and provider actions for the dashboards, and one screenshot reused by two customers.

    Canceled, Partial and Refunded orders that no demo ticket names are credited as the automatic
    refund poll would have done (ledger entry + done credit action, Order.refunded updated), so
    the orders that tickets are about stay open for the live flow.
    """
    from app.reports.demo import load_history

    load_history(orders, customers, now)
