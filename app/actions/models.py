"""An Action is written in the approval's transaction and executed later by a worker.

States: queued → running → done | failed (retryable by an agent) | needs_review.
`idempotency_key` is unique, so the same approval can never create the same action twice.
"""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Money, UTCDateTime, utcnow
from app.extensions import db


class ActionKind(str, enum.Enum):
    CREDIT = "credit"
    PROVIDER_REFILL = "provider_refill"
    PROVIDER_CANCEL = "provider_cancel"


class ActionState(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    NEEDS_REVIEW = "needs_review"


class Action(db.Model):
    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_state_updated", "state", "updated_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    approval_id: Mapped[int | None] = mapped_column(ForeignKey("approvals.id", ondelete="CASCADE"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(24))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    # The ledger cause for credits, e.g. "status:Partial" or "override:12": one credit per (order, cause)
    cause: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(16), default=ActionState.QUEUED.value)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_ref: Mapped[str | None] = mapped_column(String(64))  # e.g. the provider's refill id
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    approval = relationship("Approval", back_populates="actions")
    order = relationship("Order")

    def __repr__(self) -> str:
        return f"<Action {self.id} {self.kind} {self.state} key={self.idempotency_key}>"
