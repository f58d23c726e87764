"""The demo provider's API v2 actions: request parameters in, answer shapes out.

Shapes follow reference §2.2/§2.3 exactly (PerfectPanel): single status is an
object, multi status an object keyed by the ID strings sent, multi refill /
refill_status / cancel are arrays with per-item errors, money and counts are
strings, ``order`` is an int and a single ``refill`` ID a string. Dialect
switches (``faults``) produce the variants of §2.8 so our own client is
tested against them too. Called with ``state.lock`` held.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.providers import demo_world as world
from app.providers.demo_state import DemoError, DemoState, money

MAX_IDS = 100
MUTATING = {"add", "refill", "cancel"}


def dispatch(state: DemoState, params: dict[str, str], faults: dict) -> Any:
    handler = _ACTIONS.get(params.get("action", "").strip().lower())
    if handler is None:
        return {"error": "Incorrect request"}
    try:
        return handler(_Ctx(state, params, faults))
    except DemoError as exc:
        return {"error": str(exc)}


class _Ctx:
    """One request: the state, its parameters and the dialect/fault switches."""

    def __init__(self, state: DemoState, params: dict[str, str], faults: dict) -> None:
        self.state, self.params, self.faults = state, params, faults

    def money(self, value: Decimal | str) -> str | float:
        return float(Decimal(value)) if self.faults["numbers"] else money(value)

    def count(self, value: int | None) -> str | int:
        value = value or 0
        return value if self.faults["numbers"] else str(value)

    def order(self, order_id: str) -> dict:
        """Look an order up, honouring the "Incorrect order ID" fault."""
        bad = self.faults["incorrect_order_id"]
        if bad is True or (isinstance(bad, list) and str(order_id).strip() in map(str, bad)):
            raise DemoError("Incorrect order ID")
        return self.state.get_order(order_id)

    def ids(self, name: str) -> list[str] | None:
        """``orders=1,2,3`` as a list; over 100 IDs is refused as a whole (top-level error)."""
        raw = self.params.get(name)
        if raw is None:
            return None
        ids = [part.strip() for part in raw.split(",") if part.strip()]
        if not ids:
            raise DemoError("Incorrect request")
        if len(ids) > MAX_IDS:
            raise DemoError(f"Maximum {MAX_IDS} IDs per request")
        return ids

    def item_error(self, message: str) -> dict | str:
        return message if self.faults["bare_item_errors"] else {"error": message}


def _id_value(raw: str) -> int | str:
    return int(raw) if raw.isdigit() else raw


def _services(ctx: _Ctx) -> list[dict]:
    return [{
        "service": s["service"], "name": s["name"], "type": s["type"], "category": s["category"],
        "rate": s["rate"] if not ctx.faults["numbers"] else float(s["rate"]),
        "min": ctx.count(s["min"]), "max": ctx.count(s["max"]),
        "refill": s["refill"], "cancel": s["cancel"],
    } for s in world.DEMO_SERVICES]


def _add(ctx: _Ctx) -> dict:
    return {"order": ctx.state.add(ctx.params)}


def _status_view(ctx: _Ctx, rec: dict) -> dict:
    status = rec["status"]
    if status == "Canceled" and ctx.faults["cancelled_spelling"]:
        status = "Cancelled"
    return {
        "charge": ctx.money(rec["charge"]),
        "start_count": ctx.count(rec["start_count"]),
        "status": status,
        "remains": ctx.count(ctx.state.remains_at(rec, ctx.state.vnow())),
        "currency": rec["currency"],
    }


def _status(ctx: _Ctx) -> dict:
    ids = ctx.ids("orders")
    if ids is None:
        return _status_view(ctx, ctx.order(ctx.params.get("order", "")))
    answer: dict[str, Any] = {}
    for raw in ids:
        try:
            answer[raw] = _status_view(ctx, ctx.order(raw))
        except DemoError as exc:
            answer[raw] = ctx.item_error(str(exc))
    return answer


def _refill(ctx: _Ctx) -> dict | list:
    ids = ctx.ids("orders")
    if ids is None:
        ctx.order(ctx.params.get("order", ""))
        return {"refill": str(ctx.state.request_refill(ctx.params["order"]))}
    answer = []
    for raw in ids:
        try:
            ctx.order(raw)
            answer.append({"order": _id_value(raw), "refill": ctx.state.request_refill(raw)})
        except DemoError as exc:
            answer.append({"order": _id_value(raw), "refill": {"error": str(exc)}})
    return answer


def _refill_status(ctx: _Ctx) -> dict | list:
    ids = ctx.ids("refills")
    if ids is None:
        return {"status": ctx.state.get_refill(ctx.params.get("refill", ""))["status"]}
    answer = []
    for raw in ids:
        try:
            answer.append({"refill": _id_value(raw), "status": ctx.state.get_refill(raw)["status"]})
        except DemoError as exc:
            answer.append({"refill": _id_value(raw), "status": {"error": str(exc)}})
    return answer


def _cancel(ctx: _Ctx) -> list:
    """Batch only in the reference; a lone ``order=`` is answered in the same list shape."""
    ids = ctx.ids("orders")
    if ids is None:
        if not ctx.params.get("order"):
            raise DemoError("Incorrect request")
        ids = [ctx.params["order"].strip()]
    answer = []
    for raw in ids:
        try:
            ctx.order(raw)
            answer.append({"order": _id_value(raw), "cancel": ctx.state.request_cancel(raw)})
        except DemoError as exc:
            answer.append({"order": _id_value(raw), "cancel": {"error": str(exc)}})
    return answer


def _balance(ctx: _Ctx) -> dict:
    return {"balance": ctx.money(ctx.state.balance), "currency": world.DEMO_CURRENCY}


_ACTIONS = {
    "services": _services, "add": _add, "status": _status, "refill": _refill,
    "refill_status": _refill_status, "cancel": _cancel, "balance": _balance,
}
