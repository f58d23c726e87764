"""Typed answers of the SMM API v2 and the lenient parsing behind them.

Providers disagree on types (``"157"`` vs ``157``, ``"Unknown"``), spelling
(``Canceled``/``Cancelled``/``in_progress``) and batch shapes (objects keyed
by ID, lists, bare-string errors). Everything is normalised here, once, so the
rest of the desk only ever sees canonical values: ``Decimal`` money, ``int`` or
``None`` counts and the PerfectPanel status spelling.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

#: Canonical order statuses (PerfectPanel spelling) plus the two that the
#: SmartPanel family and some providers add.
ORDER_STATUSES = (
    "Pending", "In progress", "Processing", "Completed",
    "Partial", "Canceled", "Refunded", "Failed",
)
FINAL_ORDER_STATUSES = frozenset({"Completed", "Partial", "Canceled", "Refunded", "Failed"})
REFILL_STATUSES = ("Pending", "In progress", "Completed", "Rejected", "Canceled")

_STATUS_ALIASES = {
    "pending": "Pending", "awaiting": "Pending",
    "inprogress": "In progress", "active": "In progress",
    "processing": "Processing",
    "completed": "Completed", "complete": "Completed",
    "partial": "Partial",
    "canceled": "Canceled", "cancelled": "Canceled", "cancel": "Canceled",
    "refunded": "Refunded",
    "failed": "Failed", "fail": "Failed", "error": "Failed",
    "rejected": "Rejected",
}


def normalize_status(raw: object) -> str:
    """Map a provider's status spelling to the canonical one.

    Unknown values are returned stripped but otherwise unchanged, so the caller
    can log them and keep its previous snapshot (reference §2.4).
    """
    text = str(raw if raw is not None else "").strip()
    key = text.lower().replace(" ", "").replace("_", "").replace("-", "")
    return _STATUS_ALIASES.get(key, text)


def to_decimal(value: object) -> Decimal | None:
    """Money from a string or a JSON number; floats go through ``str`` to avoid binary noise."""
    if value is None or isinstance(value, bool):
        return None
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def to_int(value: object) -> int | None:
    """A count from ``"157"``, ``157`` or ``"157.0"``; ``"Unknown"``/``""`` give ``None``.

    Negative values are kept: ``remains < 0`` means over-delivery and the
    refund maths must see it to clamp it.
    """
    number = to_decimal(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


@dataclass(frozen=True)
class ItemError:
    """One item of a batch that the provider answered with an error."""

    id: str
    error: str


@dataclass(frozen=True)
class Service:
    service: int
    name: str
    type: str
    category: str
    rate: Decimal  # per 1000
    min: int
    max: int
    refill: bool
    cancel: bool
    dripfeed: bool = False


@dataclass(frozen=True)
class OrderStatus:
    order: int
    status: str  # canonical spelling when known, see ``is_known``
    raw_status: str
    charge: Decimal | None
    start_count: int | None
    remains: int | None
    currency: str | None

    @property
    def is_known(self) -> bool:
        return self.status in ORDER_STATUSES

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_ORDER_STATUSES


@dataclass(frozen=True)
class RefillResult:
    order: int
    refill: str  # string: single answers send "1", batch answers 1


@dataclass(frozen=True)
class RefillStatus:
    refill: str
    status: str
    raw_status: str


@dataclass(frozen=True)
class CancelResult:
    """``accepted`` means the provider took the *request*; money moves only on a later status."""

    order: int
    accepted: bool


@dataclass(frozen=True)
class Balance:
    balance: Decimal
    currency: str


def item_error(item_id: object, value: object, *, whole_item: bool = True) -> ItemError | None:
    """Return an ``ItemError`` if a batch item (or, ``whole_item=False``, its inner value) is an error.

    A whole item that is a bare string is SmartPanel's way of saying
    ``"10": "Incorrect order ID"``; an inner value such as ``"status":
    "Completed"`` is data, so only ``{"error": ...}`` counts there.
    """
    if isinstance(value, dict) and "error" in value:
        return ItemError(str(item_id), str(value["error"]))
    if whole_item and value is not None and not isinstance(value, dict):
        return ItemError(str(item_id), str(value))
    return None


def parse_service(raw: dict) -> Service:
    return Service(
        service=int(raw["service"]),
        name=str(raw.get("name", "")),
        type=str(raw.get("type", "Default")),
        category=str(raw.get("category", "")),
        rate=to_decimal(raw.get("rate")) or Decimal(0),
        min=to_int(raw.get("min")) or 0,
        max=to_int(raw.get("max")) or 0,
        refill=_to_bool(raw.get("refill")),
        cancel=_to_bool(raw.get("cancel")),
        dripfeed=_to_bool(raw.get("dripfeed")),
    )


def parse_order_status(order_id: int, raw: dict) -> OrderStatus:
    raw_status = str(raw.get("status", "")).strip()
    return OrderStatus(
        order=order_id,
        status=normalize_status(raw_status),
        raw_status=raw_status,
        charge=to_decimal(raw.get("charge")),
        start_count=to_int(raw.get("start_count")),
        remains=to_int(raw.get("remains")),
        currency=str(raw["currency"]) if raw.get("currency") else None,
    )


def parse_refill_status(refill_id: str, raw_status: object) -> RefillStatus:
    text = str(raw_status).strip()
    return RefillStatus(refill=str(refill_id), status=normalize_status(text), raw_status=text)


def parse_cancel_flag(value: object) -> bool:
    """``1``, ``"1"``, ``true``, ``"ok"``/``"success"``/``"requested"`` all mean accepted."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "ok", "success", "requested", "yes"}
    return bool(value)


def _to_bool(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes"}
    return bool(value)
