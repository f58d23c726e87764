"""Posting to and reading a customer's wallet: an append-only ledger whose balance is SUM(amount).

There is no cached balance column on purpose: a cache is a second truth that can drift
(hazards §I.72). Every posting validates its amount (finite, non-zero, sign by kind) and
refund credits lean on the database's UNIQUE(order_id, kind, cause): a second credit for
the same order and cause raises IntegrityError inside a savepoint and is reported as
"already credited", never entered twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask import current_app
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import MONEY_PLACES, format_money, utcnow
from app.errors import ValidationError
from app.extensions import db
from app.orders.models import Order
from app.wallet.models import EntryKind, LedgerEntry

DEFAULT_CURRENCY = "USD"
# kind -> the sign its amount must have (0: either, but never zero)
_SIGN = {EntryKind.DEPOSIT.value: 1, EntryKind.CHARGE.value: -1, EntryKind.REFUND_CREDIT.value: 1,
         EntryKind.ADJUSTMENT.value: 0}


def clean_amount(raw, kind: str) -> Decimal:
    """A Decimal with at most five places and the sign its kind requires; NaN, inf and zero refused."""
    try:
        amount = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError("The amount must be a number such as 1.25.", field="amount") from None
    if not amount.is_finite() or amount == 0 or abs(amount) >= Decimal("1e12"):
        raise ValidationError("The amount must be a finite, non-zero number.", field="amount")
    if amount != amount.quantize(MONEY_PLACES):
        raise ValidationError("Amounts have at most five decimal places.", field="amount")
    sign = _SIGN.get(kind)
    if sign is None:
        raise ValidationError(f"Unknown ledger entry kind {kind!r}.", field="kind")
    if sign and (amount > 0) != (sign > 0):
        raise ValidationError(f"A {kind} must be {'positive' if sign > 0 else 'negative'}.", field="amount")
    return amount


def post(customer_id: int, kind: str, amount, cause: str, *, order_id: int | None = None,
         ticket_id: int | None = None, action_id: int | None = None, memo: str = "",
         currency: str | None = None, created_at: datetime | None = None) -> LedgerEntry:
    """Append one entry in the current transaction (the caller commits); `created_at` for imports."""
    entry = LedgerEntry(
        customer_id=customer_id, kind=kind, amount=clean_amount(amount, kind), cause=cause[:64],
        order_id=order_id, ticket_id=ticket_id, action_id=action_id, memo=memo[:200],
        currency=currency or DEFAULT_CURRENCY, created_at=created_at or utcnow(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def deposit(customer_id: int, amount, reference: str, memo: str = "",
            created_at: datetime | None = None) -> LedgerEntry:
    """Money in; `reference` (e.g. the gateway's transaction id) is the cause."""
    return post(customer_id, EntryKind.DEPOSIT.value, amount, f"deposit:{reference}", memo=memo,
                created_at=created_at)


def charge_order(order: Order) -> LedgerEntry:
    """The order's price, as a negative entry; one per order (cause "order"), dated with the order."""
    return post(order.customer_id, EntryKind.CHARGE.value, -order.charge, "order", order_id=order.id,
                memo=f"Order {order.panel_id}", currency=order.currency, created_at=order.created_at)


@dataclass(frozen=True)
class CreditResult:
    entry: LedgerEntry | None
    amount: Decimal  # what landed now (0 when nothing did)
    already: bool  # an entry for this order and cause existed before


def credit_refund(order: Order, amount: Decimal, cause: str, *, ticket_id: int | None = None,
                  action_id: int | None = None, memo: str = "") -> CreditResult:
    """Credit a refund for `order` at most once per cause, capped at charge − refunded.

    The order row is locked (FOR UPDATE on PostgreSQL; SQLite serialises writers) so two
    credits with different causes cannot together exceed the charge, and `Order.refunded`
    moves in the same transaction as the entry.
    """
    order = db.session.scalars(
        select(Order).where(Order.id == order.id).with_for_update().execution_options(populate_existing=True)
    ).one()
    existing = db.session.scalar(select(LedgerEntry).where(
        LedgerEntry.order_id == order.id, LedgerEntry.kind == EntryKind.REFUND_CREDIT.value,
        LedgerEntry.cause == cause))
    if existing is not None:
        return CreditResult(existing, Decimal("0"), True)
    amount = min(Decimal(amount), order.charge - order.refunded).quantize(MONEY_PLACES)
    if amount <= 0:
        return CreditResult(None, Decimal("0"), False)
    try:
        with db.session.begin_nested():
            entry = post(order.customer_id, EntryKind.REFUND_CREDIT.value, amount, cause, order_id=order.id,
                         ticket_id=ticket_id, action_id=action_id, memo=memo or f"Refund for {order.panel_id}",
                         currency=order.currency)
    except IntegrityError:  # a concurrent credit for the same order and cause won
        return CreditResult(None, Decimal("0"), True)
    moved = db.session.execute(
        update(Order).where(Order.id == order.id, Order.refunded + amount <= Order.charge)
        .values(refunded=Order.refunded + amount)
    ).rowcount
    if moved != 1:  # cannot happen under the row lock; refuse rather than over-credit
        raise RuntimeError(f"refund of {amount} would exceed the charge of {order.panel_id}")
    db.session.refresh(order)
    return CreditResult(entry, amount, False)


def balance(customer_id: int) -> Decimal:
    total = db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0))
                              .where(LedgerEntry.customer_id == customer_id))
    return Decimal(total).quantize(MONEY_PLACES)


def history(customer_id: int, limit: int = 100, before_id: int | None = None) -> list[LedgerEntry]:
    """Newest first; `before_id` pages back (keyset, so a long history stays cheap)."""
    query = select(LedgerEntry).where(LedgerEntry.customer_id == customer_id)
    if before_id:
        query = query.where(LedgerEntry.id < before_id)
    return list(db.session.scalars(query.order_by(LedgerEntry.id.desc()).limit(max(1, min(limit, 500)))))


def currency() -> str:
    return current_app.config.get("WALLET_CURRENCY", DEFAULT_CURRENCY)


def entry_as_dict(entry: LedgerEntry) -> dict:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "amount": format_money(entry.amount),
        "order_id": entry.order.panel_id if entry.order else None,
        "ticket_id": entry.ticket_id,
        "created_at": entry.created_at.isoformat(),
    }


def wallet_as_dict(customer_id: int, limit: int = 100, before_id: int | None = None) -> dict:
    return {
        "balance": format_money(balance(customer_id)),
        "currency": currency(),
        "entries": [entry_as_dict(e) for e in history(customer_id, limit, before_id)],
    }


@event.listens_for(Session, "before_flush")
def _ledger_is_append_only(session, flush_context, instances) -> None:
    """Entries are never changed or removed in code: corrections are new, reversing entries."""
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, LedgerEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise ValueError(f"ledger entries are append-only ({obj!r}); post a reversing adjustment")
