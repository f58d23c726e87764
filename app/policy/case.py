"""A case: everything the engine may look at, as frozen dataclasses.

The desk builds a Case from its database rows; the CLI and the JSON API build one with `parse_case`
from the contract's JSON. The engine never reads anything else (no clock, no DB), which is what makes
its verdicts reproducible.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timezone
from decimal import Decimal

from app.policy.errors import CaseError
from app.policy.parsing import Fields
from app.policy.vocab import KINDS, REASONS


def _normalise(obj: object) -> None:
    """Make rows built by hand safe to compare: naive times become UTC, numbers become Decimal.

    The desk constructs Cases straight from DB rows, which may carry naive UTC datetimes or floats;
    mixing naive and aware times would make the engine raise, so it is fixed once, here.
    """
    for f in fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, f.name)
        if isinstance(value, datetime) and value.tzinfo is None:
            object.__setattr__(obj, f.name, value.replace(tzinfo=timezone.utc))
        elif f.type == "Decimal" and not isinstance(value, Decimal):
            object.__setattr__(obj, f.name, Decimal(str(value)))


@dataclass(frozen=True)
class Customer:
    suspended: bool = False
    chargeback: bool = False


@dataclass(frozen=True)
class Service:
    refill: bool = False
    refill_days: int = 0
    cancel: bool = False


@dataclass(frozen=True)
class Order:
    """The order as its provider last reported it. `status` is kept raw; the engine canonicalises it."""

    id: str
    status: str
    charge: Decimal
    quantity: int
    remains: int
    created_at: datetime
    currency: str = "USD"
    start_count: int | None = None
    status_changed_at: datetime | None = None
    refunded: Decimal = Decimal("0")
    link: str = ""
    overlapping_orders: int = 0
    service: Service = Service()

    def __post_init__(self) -> None:
        _normalise(self)


@dataclass(frozen=True)
class Payment:
    amount: Decimal
    created_at: datetime

    def __post_init__(self) -> None:
        _normalise(self)


@dataclass(frozen=True)
class Case:
    case_id: str
    now: datetime
    kind: str
    reason: str
    customer: Customer = Customer()
    order: Order | None = None
    payment: Payment | None = None

    def __post_init__(self) -> None:
        _normalise(self)


def parse_case(data: object) -> Case:
    """Build a Case from one contract JSON object, or raise CaseError saying what is wrong.

    Unknown extra fields are ignored so that a newer desk can send more than this engine reads.
    """
    f = Fields(data, "the case")
    return Case(
        case_id=f.string("case"),
        now=f.time("now"),
        kind=f.choice("kind", KINDS),
        reason=f.choice("reason", REASONS),
        customer=_customer(f.object("customer")),
        order=_order(f.object("order", nullable=True)),
        payment=_payment(f.object("payment", nullable=True, required=False)),
    )


def _customer(f: Fields) -> Customer:
    return Customer(suspended=f.boolean("suspended"), chargeback=f.boolean("chargeback"))


def _order(f: Fields | None) -> Order | None:
    if f is None:
        return None
    order = Order(
        id=f.string("id"),
        status=f.string("status"),
        charge=f.money("charge"),
        currency=f.string("currency"),
        quantity=f.integer("quantity", minimum=1),
        remains=f.integer("remains"),
        start_count=f.integer("start_count"),
        created_at=f.time("created_at"),
        status_changed_at=f.time("status_changed_at"),
        refunded=f.money("refunded"),
        link=f.string("link", allow_empty=True),
        overlapping_orders=f.integer("overlapping_orders", minimum=0),
        service=_service(f.object("service")),
    )
    return order


def _service(f: Fields) -> Service:
    return Service(
        refill=f.boolean("refill"),
        refill_days=f.integer("refill_days", minimum=0),
        cancel=f.boolean("cancel"),
    )


def _payment(f: Fields | None) -> Payment | None:
    if f is None:
        return None
    return Payment(amount=f.money("amount"), created_at=f.time("created_at"))


__all__ = ["Case", "CaseError", "Customer", "Order", "Payment", "Service", "parse_case"]
