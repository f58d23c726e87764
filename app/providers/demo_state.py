"""In-memory state of the demo provider: orders and refills that move over time.

Time is *virtual*: ``(clock() - start) * speed + offset`` seconds since the
server started, so tests can inject a clock, compress time with ``speed`` or
jump ahead with ``advance()``. Every order and refill carries a seeded plan
(when it starts, how it ends, whether it drops later), and ``sync()`` replays
all events that are due. The plan is drawn from ``Random(f"{seed}:{id}")`` so
the same seed gives the same story whatever the request order.

Not thread-safe by itself: the HTTP layer holds ``state.lock`` around calls.
"""
from __future__ import annotations

import json
import os
import random
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from app.providers import demo_world as world

ACTIVE = ("Pending", "In progress", "Processing")
_CENT5 = Decimal("0.00001")


class DemoError(Exception):
    """An API-level refusal; the server answers it as HTTP 200 ``{"error": message}``."""


class DemoState:
    def __init__(self, *, seed: int = 7, count: int = 200, speed: float = 1.0,
                 clock: Callable[[], float] = time.monotonic, now: datetime | None = None) -> None:
        self.lock = threading.RLock()
        self.seed = seed
        self.speed = float(speed)
        self.clock = clock
        self._t0 = clock()
        self._offset = 0.0
        self.started_at = now or datetime.now(timezone.utc)
        self.balance = Decimal(world.DEMO_BALANCE)
        self.orders: dict[int, dict] = {}
        self.refills: dict[int, dict] = {}
        self.next_refill = 40_001
        for order in world.demo_orders(count=count, seed=seed, now=self.started_at):
            self.orders[order["order"]] = self._record(order)

    # -------------------------------------------------------------- the clock
    def vnow(self) -> float:
        return (self.clock() - self._t0) * self.speed + self._offset

    def advance(self, seconds: float) -> None:
        """Jump virtual time forward (tests and ``/_control/clock``)."""
        self._offset += float(seconds)
        self.sync()

    def set_speed(self, speed: float) -> None:
        self._offset, self._t0, self.speed = self.vnow(), self.clock(), float(speed)

    def wall(self, v: float) -> datetime:
        return self.started_at + timedelta(seconds=v)

    # ------------------------------------------------------------- the world
    def _rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(map(str, (self.seed, *parts))))

    def _record(self, order: dict, t: float = 0.0) -> dict:
        """A world order plus its plan, with datetimes as ISO text so the state is JSON-able."""
        rec = dict(order, created_at=order["created_at"].isoformat(),
                   status_changed_at=order["status_changed_at"].isoformat(),
                   cancel_at=None, drop_at=None, drop=0)
        rng = self._rng(rec["order"])
        if rec["status"] == "Pending":
            rec["next_at"] = t + rng.uniform(60, 900)
        elif rec["status"] in ACTIVE:
            self._plan_run(rec, t, rng)
        else:
            rec["next_at"] = None
        return rec

    def _plan_run(self, rec: dict, t: float, rng: random.Random) -> None:
        """Decide how a started order ends: mostly Completed, some Partial, a few Canceled."""
        rec.update(run_from=t, run_secs=rng.uniform(300, 3600), run_remains=rec["remains"])
        rec["next_at"] = t + rec["run_secs"]
        outcome = rng.choices(["Completed", "Partial", "Canceled"], [75, 15, 10])[0]
        q = rec["quantity"]
        rec["outcome"] = outcome
        rec["end_remains"] = {"Completed": 0, "Canceled": rec["remains"]}.get(
            outcome, rng.randint(1, max(1, min(rec["remains"], q * 9 // 10))))

    def sync(self) -> None:
        """Apply every due event of every order and refill, in time order per item."""
        v = self.vnow()
        for rec in self.orders.values():
            self._sync_order(rec, v)
        for refill in self.refills.values():
            self._sync_refill(refill, v)

    def _sync_order(self, rec: dict, v: float) -> None:
        while True:
            due = [(t, kind) for t, kind in ((rec["next_at"], "next"), (rec["cancel_at"], "cancel"),
                                             (rec["drop_at"], "drop")) if t is not None and t <= v]
            if not due:
                return
            t, kind = min(due)
            getattr(self, f"_on_{kind}")(rec, t)

    def _on_next(self, rec: dict, t: float) -> None:
        if rec["status"] == "Pending":
            rng = self._rng(rec["order"], "start")
            rec["start_count"] = rec["start_count"] or rng.randint(40, 90_000)
            self._set_status(rec, "In progress", t)
            self._plan_run(rec, t, rng)
        else:
            self._finish(rec, rec["outcome"], rec["end_remains"], t)

    def _on_cancel(self, rec: dict, t: float) -> None:
        remains = self.remains_at(rec, t)
        if rec["status"] == "Pending" or remains >= rec["quantity"]:
            self._finish(rec, "Canceled", rec["quantity"], t)
        else:
            self._finish(rec, "Partial", remains, t)

    def _on_drop(self, rec: dict, t: float) -> None:
        rec["current_count"] -= rec["drop"]
        rec["drop_at"] = None

    def _finish(self, rec: dict, status: str, remains: int, t: float) -> None:
        """Final status; the provider refunds its own charge to our balance like real panels do."""
        rec.update(remains=remains, next_at=None, cancel_at=None)
        self._set_status(rec, status, t)
        delivered = rec["quantity"] - max(0, remains)
        if rec["start_count"]:
            rec["current_count"] = rec["start_count"] + (0 if status == "Canceled" else delivered)
        charge, q = Decimal(rec["charge"]), rec["quantity"]
        self.balance += charge if status == "Canceled" else charge * min(max(remains, 0), q) / q
        rng = self._rng(rec["order"], "drop")
        if status in ("Completed", "Partial") and rng.random() < 0.3 and delivered > 1:
            rec["drop"] = rng.randint(1, max(1, delivered * 2 // 5))
            rec["drop_at"] = t + rng.uniform(600, 86_400)

    def _set_status(self, rec: dict, status: str, t: float) -> None:
        rec["status"] = status
        rec["status_changed_at"] = self.wall(t).isoformat()

    def remains_at(self, rec: dict, v: float) -> int:
        """Remains fall linearly while an order runs; Partial runs stop short of zero."""
        if rec["status"] not in ("In progress", "Processing") or not rec.get("run_secs"):
            return rec["remains"]
        frac = min(1.0, max(0.0, (v - rec["run_from"]) / rec["run_secs"]))
        start, end = rec["run_remains"], rec["end_remains"]
        return round(start - (start - end) * frac) if rec["outcome"] != "Canceled" else start

    # ------------------------------------------------------------ API actions
    def get_order(self, order_id: object) -> dict:
        rec = self.orders.get(_as_int(order_id))
        if rec is None:
            raise DemoError("Incorrect order ID")
        return rec

    def add(self, params: dict) -> int:
        service = world.service_by_id(_as_int(params.get("service")) or 0)
        if service is None:
            raise DemoError("Incorrect service ID")
        if not params.get("link"):
            raise DemoError("Incorrect request")
        quantity = self._quantity(service, params)
        charge = Decimal(world.charge_for(service, quantity))
        if charge > self.balance:
            raise DemoError("Not enough funds on balance")
        self.balance -= charge
        provider = service["provider"]
        order_id = 1 + max((o for o, rec in self.orders.items() if rec["provider"] == provider),
                           default=world.ORDER_ID_BASE[provider])
        v = self.vnow()
        self.orders[order_id] = self._record({
            "order": order_id, "service": service["service"], "provider": provider,
            "link": str(params["link"]), "quantity": quantity, "charge": str(charge),
            "currency": world.DEMO_CURRENCY, "status": "Pending", "start_count": 0,
            "remains": quantity, "current_count": None, "created_at": self.wall(v),
            "status_changed_at": self.wall(v), "customer": None,
        }, v)
        return order_id

    def _quantity(self, service: dict, params: dict) -> int:
        if service["type"] == "Custom Comments":
            quantity = len([c for c in str(params.get("comments", "")).splitlines() if c.strip()])
        else:
            quantity = (_as_int(params.get("quantity")) or 0) * max(1, _as_int(params.get("runs")) or 1)
        if quantity < service["min"]:
            raise DemoError(f"Quantity less than minimal {service['min']}")
        if quantity > service["max"]:
            raise DemoError(f"Quantity more than maximal {service['max']}")
        return quantity

    def request_cancel(self, order_id: object) -> int:
        rec = self.get_order(order_id)
        if not world.service_by_id(rec["service"])["cancel"]:
            raise DemoError("Cancel is disabled for this service")
        if rec["status"] not in ACTIVE:
            raise DemoError("Order cannot be canceled")
        if rec["cancel_at"] is None:
            rec["cancel_at"] = self.vnow() + self._rng(rec["order"], "cancel").uniform(20, 120)
        return 1

    def request_refill(self, order_id: object) -> int:
        rec = self.get_order(order_id)
        service = world.service_by_id(rec["service"])
        if not service["refill"]:
            raise DemoError("Refill is disabled for this service")
        expires = datetime.fromisoformat(rec["created_at"]) + timedelta(days=service["refill_days"])
        in_flight = any(r["order"] == rec["order"] and r["status"] in ACTIVE for r in self.refills.values())
        if rec["status"] not in ("Completed", "Partial") or self.wall(self.vnow()) > expires or in_flight:
            raise DemoError("Order not eligible for refill.")
        refill_id, self.next_refill = self.next_refill, self.next_refill + 1
        rng = self._rng("refill", refill_id)
        self.refills[refill_id] = {"refill": refill_id, "order": rec["order"], "status": "Pending",
                                   "next_at": self.vnow() + rng.uniform(60, 300)}
        return refill_id

    def get_refill(self, refill_id: object) -> dict:
        refill = self.refills.get(_as_int(refill_id))
        if refill is None:
            raise DemoError("Refill not found")
        return refill

    def _sync_refill(self, refill: dict, v: float) -> None:
        """Pending -> In progress -> Completed (count restored) or Rejected (nothing dropped)."""
        while refill["next_at"] is not None and refill["next_at"] <= v:
            rng = self._rng("refill", refill["refill"], refill["status"])
            if refill["status"] == "Pending":
                refill.update(status="In progress", next_at=refill["next_at"] + rng.uniform(300, 1800))
                continue
            order = self.orders[refill["order"]]
            self._sync_order(order, refill["next_at"])
            expected = order["start_count"] + order["quantity"] - max(order["remains"], 0)
            dropped = (order["current_count"] or expected) < expected
            if dropped and rng.random() > 0.1:
                order["current_count"] = expected
                refill["status"] = "Completed"
            else:
                refill["status"] = "Rejected"
            refill["next_at"] = None

    # ----------------------------------------------------------- persistence
    def save(self, path: str) -> None:
        """Write atomically, so a crash mid-write never leaves a half file."""
        data = {"version": 1, "seed": self.seed, "vnow": self.vnow(), "balance": str(self.balance),
                "started_at": self.started_at.isoformat(), "next_refill": self.next_refill,
                "orders": list(self.orders.values()), "refills": list(self.refills.values())}
        tmp = f"{path}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        os.replace(tmp, path)

    def load(self, path: str) -> None:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        self.seed, self.balance = data["seed"], Decimal(data["balance"])
        self.started_at = datetime.fromisoformat(data["started_at"])
        self._t0, self._offset = self.clock(), float(data["vnow"])
        self.next_refill = data["next_refill"]
        self.orders = {o["order"]: o for o in data["orders"]}
        self.refills = {r["refill"]: r for r in data["refills"]}


def money(value: Decimal | str) -> str:
    return str(Decimal(value).quantize(_CENT5, rounding=ROUND_HALF_UP))


def _as_int(value: object) -> int | None:
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() else None
