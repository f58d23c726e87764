"""The demo world is deterministic and shaped like the desk and the demo provider expect."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from app.providers.demo_world import (
    DEMO_PROVIDERS, DEMO_SERVICES, ORDER_STATUSES, charge_for, demo_orders, service_by_id,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def test_same_seed_same_world_and_other_seed_other_world():
    assert demo_orders(now=NOW) == demo_orders(now=NOW)
    assert demo_orders(now=NOW) != demo_orders(seed=8, now=NOW)
    later = demo_orders(now=NOW + timedelta(days=3))
    strip = [{k: v for k, v in o.items() if not k.endswith("_at")} for o in demo_orders(now=NOW)]
    assert strip == [{k: v for k, v in o.items() if not k.endswith("_at")} for o in later]


def test_services_shape():
    assert 8 <= len(DEMO_SERVICES) <= 12
    assert {p["key"] for p in DEMO_PROVIDERS} == {1, 2} and all(p["name"] for p in DEMO_PROVIDERS)
    assert len({s["service"] for s in DEMO_SERVICES}) == len(DEMO_SERVICES)
    for s in DEMO_SERVICES:
        assert isinstance(s["service"], int) and s["provider"] in (1, 2)
        assert Decimal(s["rate"]) > 0 and isinstance(s["rate"], str)
        assert 0 < s["min"] < s["max"]
        assert s["refill"] == (s["refill_days"] > 0)
        assert isinstance(s["cancel"], bool) and s["type"] and s["category"] and s["name"]
    assert {s["provider"] for s in DEMO_SERVICES if s["refill"]} == {1, 2}
    assert any(not s["refill"] for s in DEMO_SERVICES)


def test_orders_shape_and_invariants():
    orders = demo_orders(now=NOW)
    assert len(orders) == 200 and len(demo_orders(count=30, now=NOW)) == 30
    assert len({o["order"] for o in orders}) == 200
    assert set(Counter(o["status"] for o in orders)) == set(ORDER_STATUSES)
    assert {o["customer"] for o in orders} == {0, 1, 2}
    assert {o["provider"] for o in orders} == {1, 2}
    for o in orders:
        service = service_by_id(o["service"])
        assert service["provider"] == o["provider"]
        assert service["min"] <= o["quantity"] <= service["max"]
        assert o["charge"] == charge_for(service, o["quantity"]) and o["currency"] == "USD"
        assert len(o["charge"].split(".")[1]) == 5
        assert o["created_at"].tzinfo is not None and NOW - timedelta(days=61) < o["created_at"] <= NOW
        assert o["created_at"] <= o["status_changed_at"] <= NOW
        _check_counts(o)


def _check_counts(o: dict) -> None:
    status, q = o["status"], o["quantity"]
    assert isinstance(o["start_count"], int) and isinstance(o["remains"], int)
    if status == "Pending":
        assert o["start_count"] == 0 and o["remains"] == q
    elif status == "Partial":
        assert 0 < o["remains"] < q
    elif status == "Completed":
        assert o["remains"] <= 0
    elif status in ("Canceled", "Refunded", "Failed"):
        assert o["remains"] == q


def test_every_status_exists_even_for_small_worlds():
    assert {o["status"] for o in demo_orders(count=8, now=NOW)} == set(ORDER_STATUSES)


def test_some_links_repeat_with_overlapping_orders():
    by_link: dict[str, list[dict]] = {}
    for o in demo_orders(now=NOW):
        by_link.setdefault(o["link"], []).append(o)
    overlapping = [
        (a, b) for group in by_link.values() for a in group for b in group
        if a["order"] != b["order"] and a["created_at"] <= b["created_at"] < a["status_changed_at"]
    ]
    assert overlapping


def test_some_completed_orders_dropped():
    dropped = [o for o in demo_orders(now=NOW) if o["status"] == "Completed"
               and o["current_count"] < o["start_count"] + o["quantity"] - o["remains"]]
    assert dropped and any(service_by_id(o["service"])["refill"] for o in dropped)


def test_provider_order_ids_do_not_collide():
    orders = demo_orders(now=NOW)
    ones = {o["order"] for o in orders if o["provider"] == 1}
    twos = {o["order"] for o in orders if o["provider"] == 2}
    assert ones and twos and max(twos) < min(ones)
