"""Ledger entries. Never updated or deleted: a correction is a new, reversing entry."""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Money, UTCDateTime, utcnow
from app.extensions import db


class EntryKind(str, enum.Enum):
    DEPOSIT = "deposit"
    CHARGE = "charge"  # an order's price, negative
    REFUND_CREDIT = "refund_credit"
    ADJUSTMENT = "adjustment"


class LedgerEntry(db.Model):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        # The database itself refuses a second refund credit for the same order and cause.
        UniqueConstraint("order_id", "kind", "cause", name="uq_ledger_entries_order_kind_cause"),
        Index("ix_ledger_entries_customer", "customer_id", "id"),
        Index("ix_ledger_entries_action", "action_id"),  # finishing looks credits up by action
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id", ondelete="SET NULL"))
    cause: Mapped[str] = mapped_column(String(64))
    memo: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order = relationship("Order")

    def __repr__(self) -> str:
        return f"<LedgerEntry {self.id} {self.kind} {self.amount} order={self.order_id}>"
