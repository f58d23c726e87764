"""Periodic job: the automatic refund poll (app.orders.polling), never two at once."""
from __future__ import annotations

from dataclasses import asdict

from app.orders.polling import poll_active_orders
from app.scheduling import redis_lock
from workers.context import in_app_context


@in_app_context
def poll_orders() -> dict:
    with redis_lock("order-poll", ttl=1800) as held:
        if not held:
            return {"skipped": "another poll is running"}
        return asdict(poll_active_orders())
