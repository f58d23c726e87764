"""Tickets, their conversation, and the audit trail of every change."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, utcnow
from app.extensions import db


class TicketStatus(str, enum.Enum):
    NEW = "new"
    OPEN = "open"
    WAITING = "waiting"  # waiting on customer
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.value]


STATUS_LABELS = {
    "new": "New",
    "open": "Open",
    "waiting": "Waiting on customer",
    "resolved": "Resolved",
    "closed": "Closed",
}
ACTIVE_STATUSES = ("new", "open", "waiting")
KINDS = ("refund", "refill", "cancel", "payment", "other")
PRIORITIES = ("urgent", "high", "normal", "low")
SOURCES = ("web", "email", "api")
# The ticket form's reason list, from the policy contract.
REASONS = {
    "not_started": "Order has not started",
    "not_delivered": "Order was not delivered",
    "partial_delivery": "Only part of the order was delivered",
    "dropped": "Delivered count dropped",
    "slow_delivery": "Delivery is too slow",
    "wrong_link": "I entered the wrong link",
    "private_account": "The account is/was private",
    "changed_mind": "I changed my mind",
    "not_satisfied": "Not satisfied with the result",
    "duplicate_charge": "I was charged twice",
    "payment_mismatch": "Payment amount does not match",
    "wrong_charge": "I was charged the wrong amount",
    "deposit_refund": "I want my deposit back",
    "other": "Something else",
}

ticket_orders = Table(
    "ticket_orders",
    db.metadata,
    Column("ticket_id", ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    Column("order_id", ForeignKey("orders.id"), primary_key=True, index=True),
)


class Ticket(db.Model):
    __tablename__ = "tickets"
    # The queue sorts by SLA due then id (keyset pagination); each filter gets an index
    # that ends in that same sort key so a million rows stay a range scan.
    __table_args__ = (
        Index("ix_tickets_queue", "resolution_due_at", "id"),
        Index("ix_tickets_status_queue", "status", "resolution_due_at", "id"),
        Index("ix_tickets_assignee_queue", "assignee_id", "status", "resolution_due_at", "id"),
        Index("ix_tickets_kind_queue", "kind", "status", "resolution_due_at", "id"),
        Index("ix_tickets_customer", "customer_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=TicketStatus.NEW.value)
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    source: Mapped[str] = mapped_column(String(8), default="web")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_response_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    customer = relationship("User", foreign_keys=[customer_id])
    assignee = relationship("User", foreign_keys=[assignee_id])
    orders = relationship("Order", secondary=ticket_orders, order_by="Order.panel_id")
    messages: Mapped[list["Message"]] = relationship(
        back_populates="ticket", order_by="Message.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="ticket", order_by="Attachment.id", cascade="all, delete-orphan"
    )
    events: Mapped[list["AuditEvent"]] = relationship(
        back_populates="ticket", order_by="AuditEvent.id", cascade="all, delete-orphan"
    )
    verdicts = relationship("Verdict", back_populates="ticket", order_by="Verdict.id", cascade="all, delete-orphan")

    @property
    def reference(self) -> str:
        return f"#{self.id}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def sla_breached(self, now: datetime) -> bool:
        if not self.is_active:
            return False
        if self.first_responded_at is None and self.first_response_due_at < now:
            return True
        return self.resolution_due_at < now

    def __repr__(self) -> str:
        return f"<Ticket {self.id} {self.kind} {self.status}>"


class Message(db.Model):
    """A public reply or an internal note; the body is plain text, escaped when shown."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    is_internal: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(8), default="web")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="messages")
    author = relationship("User")
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="message", order_by="Attachment.id")


class Attachment(db.Model):
    """A stored file. `storage_key` is random; the original name is metadata only."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    thumbnail_key: Mapped[str | None] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    # Perceptual hash (16 hex digits) and its first 16 bits, for reused-screenshot checks (app.reports.screenshots)
    phash: Mapped[str | None] = mapped_column(String(16))
    phash_prefix: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="attachments")
    message: Mapped[Message | None] = relationship(back_populates="attachments")

    @property
    def is_image(self) -> bool:
        return self.width is not None


class AuditEvent(db.Model):
    """One change to a ticket: who (null = the system), what, when, before and after."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    actor = relationship("User")


class CannedReply(db.Model):
    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(120), unique=True)
    body: Mapped[str] = mapped_column(Text)
