"""Verdicts (what the policy says) and approvals (what a person or auto-approval accepted)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Money, UTCDateTime, utcnow
from app.extensions import db

DECISIONS = ("credit", "cancel", "refill", "deny", "review")


class Verdict(db.Model):
    """The current verdict for one order of a ticket (order_id is null for a payment ticket without one).

    It is recomputed in place while unapproved; once approved it is frozen with its approval.
    """

    __tablename__ = "verdicts"
    __table_args__ = (
        UniqueConstraint("ticket_id", "order_id"),
        Index("ix_verdicts_decision", "decision", "ticket_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    clauses: Mapped[list] = mapped_column(JSON, default=list)
    explanation: Mapped[str] = mapped_column(Text, default="")
    policy: Mapped[str] = mapped_column(String(80))
    policy_version: Mapped[str] = mapped_column(String(40))
    rule: Mapped[str] = mapped_column(String(80), default="")
    snapshot: Mapped[str] = mapped_column(String(64), default="")  # digest of the case it was computed from
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket = relationship("Ticket", back_populates="verdicts")
    order = relationship("Order")
    approval: Mapped["Approval | None"] = relationship(back_populates="verdict", uselist=False)

    def __repr__(self) -> str:
        return f"<Verdict {self.id} ticket={self.ticket_id} {self.decision} {self.amount}>"


class Approval(db.Model):
    """Acceptance of a verdict, as is or overridden. One per verdict: the unique key stops double approval."""

    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    verdict_id: Mapped[int] = mapped_column(ForeignKey("verdicts.id", ondelete="CASCADE"), unique=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    decision: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    is_override: Mapped[bool] = mapped_column(Boolean, default=False)
    is_auto: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    verdict: Mapped[Verdict] = relationship(back_populates="approval")
    approved_by = relationship("User")
    actions = relationship("Action", back_populates="approval", order_by="Action.id")

    def __repr__(self) -> str:
        return f"<Approval {self.id} {self.decision} {self.amount} auto={self.is_auto}>"
