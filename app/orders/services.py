"""Reading orders on behalf of a user: a customer only ever sees their own."""
from __future__ import annotations

import re

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from app.db import format_money
from app.errors import NotFound, ValidationError
from app.extensions import db
from app.orders.models import Order

_SPLIT = re.compile(r"[\s,;]+")
MAX_ORDERS_PER_TICKET = 20


def parse_order_ids(text_or_list: str | list[str] | None) -> list[str]:
    """Order IDs as typed ("SMM1, smm2 SMM3") or given as a list: trimmed, upper-cased, de-duplicated."""
    if text_or_list is None:
        return []
    if not isinstance(text_or_list, (str, list, tuple)):
        raise ValidationError("order_ids must be a list of order IDs or a text of them.", field="order_ids")
    items = _SPLIT.split(text_or_list) if isinstance(text_or_list, str) else [str(i) for i in text_or_list]
    seen: dict[str, None] = {}
    for item in items:
        item = item.strip().upper()
        if item:
            seen.setdefault(item, None)
    return list(seen)


def orders_of_customer(customer_id: int, panel_ids: list[str]) -> list[Order]:
    """The customer's orders for these IDs; the error names every ID that is not theirs."""
    if len(panel_ids) > MAX_ORDERS_PER_TICKET:
        raise ValidationError(f"Name at most {MAX_ORDERS_PER_TICKET} orders per ticket.", field="order_ids")
    found = db.session.scalars(
        select(Order).where(Order.customer_id == customer_id, Order.panel_id.in_(panel_ids))
    ).all()
    known = {order.panel_id for order in found}
    unknown = [pid for pid in panel_ids if pid not in known]
    if unknown:
        noun = "order" if len(unknown) == 1 else "orders"
        raise ValidationError(f"No {noun} {', '.join(unknown)} on your account.", field="order_ids")
    return sorted(found, key=lambda o: panel_ids.index(o.panel_id))


def visible_orders(user, customer_id: int | None = None) -> Select:
    """Orders this user may list: a customer's own; agents all, or one customer's."""
    query = select(Order).options(joinedload(Order.service)).order_by(Order.created_at.desc(), Order.id.desc())
    if not user.is_agent:
        return query.where(Order.customer_id == user.id)
    if customer_id is not None:
        query = query.where(Order.customer_id == customer_id)
    return query


def order_for(user, panel_id: str) -> Order:
    query = visible_orders(user).where(Order.panel_id == panel_id.strip().upper())
    order = db.session.scalar(query)
    if order is None:
        raise NotFound(f"No order {panel_id}.")
    return order


def order_as_dict(order: Order) -> dict:
    """The API's order shape; money as decimal strings."""
    service = order.service
    return {
        "id": order.panel_id,
        "status": order.status,
        "charge": format_money(order.charge),
        "currency": order.currency,
        "quantity": order.quantity,
        "remains": order.remains,
        "start_count": order.start_count,
        "refunded": format_money(order.refunded),
        "link": order.link,
        "service": {
            "id": service.id,
            "name": service.name,
            "refill": service.refill,
            "refill_days": service.refill_days,
            "cancel": service.cancel,
        },
        "created_at": order.created_at.isoformat(),
        "status_changed_at": order.status_changed_at.isoformat(),
    }
