"""The demo world: the services and orders that both the desk's demo data and
the demo provider server are built from, so the two always agree.

Pure data, no I/O. Everything is drawn from ``random.Random(seed)``; only the
timestamps depend on ``now`` (they are offsets back from it), so the same seed
gives the same IDs, links, quantities, statuses and counts on every machine.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

DEMO_CURRENCY = "USD"
DEMO_BALANCE = "734.51862"

DEMO_PROVIDERS = [
    {"key": 1, "name": "PeakFollow Wholesale", "currency": DEMO_CURRENCY},
    {"key": 2, "name": "ViewRiver Supply", "currency": DEMO_CURRENCY},
]

#: Order ID ranges per provider; disjoint so IDs are unique across both.
ORDER_ID_BASE = {1: 8_310_000, 2: 5_120_000}


def _svc(service, name, type_, category, rate, min_, max_, refill_days, cancel, provider):
    return {
        "service": service, "name": name, "type": type_, "category": category, "rate": rate,
        "min": min_, "max": max_, "refill": refill_days > 0, "refill_days": refill_days,
        "cancel": cancel, "provider": provider,
    }


DEMO_SERVICES = [
    _svc(101, "Instagram Followers [30-day refill]", "Default", "Instagram Followers",
         "0.9000", 50, 10_000, 30, True, 1),
    _svc(102, "Instagram Followers HQ [365-day refill]", "Default", "Instagram Followers",
         "2.4000", 100, 50_000, 365, False, 1),
    _svc(103, "Instagram Likes [no refill]", "Default", "Instagram Likes",
         "0.1200", 20, 20_000, 0, True, 1),
    _svc(104, "Instagram Custom Comments", "Custom Comments", "Instagram Comments",
         "15.0000", 5, 500, 0, False, 1),
    _svc(105, "TikTok Followers [30-day refill]", "Default", "TikTok Followers",
         "1.8500", 100, 20_000, 30, True, 1),
    _svc(201, "TikTok Views [no refill]", "Default", "TikTok Views",
         "0.0150", 100, 1_000_000, 0, False, 2),
    _svc(202, "YouTube Likes [60-day refill]", "Default", "YouTube Likes",
         "3.2000", 50, 10_000, 60, True, 2),
    _svc(203, "YouTube Views [90-day refill]", "Default", "YouTube Views",
         "1.1000", 500, 500_000, 90, False, 2),
    _svc(204, "Telegram Channel Members [30-day refill]", "Default", "Telegram Members",
         "1.4000", 100, 30_000, 30, True, 2),
    _svc(205, "X (Twitter) Retweets [no refill]", "Default", "X Retweets",
         "4.5000", 10, 5_000, 0, True, 2),
]

ORDER_STATUSES = ("Pending", "In progress", "Processing", "Completed",
                  "Partial", "Canceled", "Refunded", "Failed")
_STATUS_WEIGHTS = (6, 8, 3, 55, 12, 8, 4, 4)
_ACTIVE = {"Pending", "In progress", "Processing"}

_HANDLES = ["luna.bakes", "urbanfit_daily", "kai.travels", "mira_studio", "thecoffeelab",
            "neonpixelgames", "sol.yoga", "drivebytech", "petalandpine", "maxbeats"]
_QUANTITIES = [50, 100, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 50_000]


def service_by_id(service_id: int) -> dict | None:
    return next((s for s in DEMO_SERVICES if s["service"] == int(service_id)), None)


def charge_for(service: dict, quantity: int) -> str:
    """Provider charge: rate per 1000 x quantity, 5 decimal places, as API v2 sends it."""
    amount = Decimal(service["rate"]) * quantity / 1000
    return str(amount.quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP))


def demo_orders(count: int = 200, seed: int = 7, now: datetime | None = None) -> list[dict]:
    """Return ``count`` orders over both providers, every status present, sorted by creation."""
    rng = random.Random(seed)
    now = now or datetime.now(timezone.utc)
    links = _link_pool(rng)
    drafts = [_draft(rng, i, links, now) for i in range(count)]
    drafts.sort(key=lambda o: o["created_at"])
    next_id = dict(ORDER_ID_BASE)
    for order in drafts:
        next_id[order["provider"]] += rng.randint(1, 37)
        order["order"] = next_id[order["provider"]]
    return drafts


def _link_pool(rng: random.Random) -> dict[str, list[str]]:
    """A few links per platform; orders draw from them so the same link is ordered more than once."""
    def pick():
        return rng.choice(_HANDLES)
    return {
        "Instagram": [f"https://www.instagram.com/{h}/" for h in _HANDLES[:6]]
        + [f"https://www.instagram.com/p/C{rng.randrange(10**9, 10**10):x}/" for _ in range(4)],
        "TikTok": [f"https://www.tiktok.com/@{pick()}/video/{rng.randrange(10**18, 10**19)}" for _ in range(5)],
        "YouTube": [f"https://www.youtube.com/watch?v={rng.randrange(16**10, 16**11):x}" for _ in range(4)],
        "Telegram": [f"https://t.me/{h.replace('.', '_')}" for h in _HANDLES[3:7]],
        "X": [f"https://x.com/{pick()}/status/{rng.randrange(10**18, 10**19)}" for _ in range(4)],
    }


def _platform(service: dict) -> str:
    return service["category"].split()[0]


def _draft(rng: random.Random, index: int, links: dict, now: datetime) -> dict:
    """One order; the first eight take each status once so every status exists."""
    service = rng.choice(DEMO_SERVICES)
    status = ORDER_STATUSES[index] if index < len(ORDER_STATUSES) else \
        rng.choices(ORDER_STATUSES, _STATUS_WEIGHTS)[0]
    quantity = rng.choice([q for q in _QUANTITIES if service["min"] <= q <= service["max"]])
    if status in _ACTIVE:
        created = now - timedelta(minutes=rng.randint(5, 3 * 24 * 60))
    else:
        created = now - timedelta(minutes=rng.randint(2 * 60, 60 * 24 * 60))
    start_count, remains, current = _counts(rng, status, quantity)
    took = timedelta(minutes=rng.randint(20, 36 * 60))
    if status in _ACTIVE:
        took = timedelta(0) if status == "Pending" else timedelta(minutes=rng.randint(1, 30))
    return {
        "order": 0,  # assigned after sorting by creation time
        "service": service["service"],
        "provider": service["provider"],
        "link": rng.choice(links[_platform(service)]),
        "quantity": quantity,
        "charge": charge_for(service, quantity),
        "currency": DEMO_CURRENCY,
        "status": status,
        "start_count": start_count,
        "remains": remains,
        "current_count": current,
        "created_at": created,
        "status_changed_at": min(created + took, now),
        "customer": rng.randrange(3),
    }


def _counts(rng: random.Random, status: str, quantity: int) -> tuple[int, int, int | None]:
    """start_count, remains and the target's real counter (which the API never shows).

    Completed orders sometimes over-deliver (negative remains) and, like
    Partial ones, sometimes *drop* afterwards: current_count falls below
    start_count + delivered, which is what a refill is for.
    """
    if status in {"Pending", "Failed"}:
        return 0, quantity, None
    start = rng.randint(40, 90_000)
    if status == "Canceled" or status == "Refunded":
        return start, quantity, start
    if status in {"In progress", "Processing"}:
        remains = quantity if status == "Processing" else rng.randint(1, quantity)
        return start, remains, start + quantity - remains
    if status == "Partial":
        remains = rng.randint(max(1, quantity // 10), max(1, quantity * 9 // 10))
    else:
        remains = -rng.randint(1, max(1, quantity // 50)) if rng.random() < 0.05 else 0
    delivered = quantity - remains
    drop = rng.randint(max(1, delivered // 20), max(1, delivered * 2 // 5)) if rng.random() < 0.35 else 0
    return start, remains, start + delivered - drop
