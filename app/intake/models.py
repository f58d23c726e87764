"""Every inbound email as received, with its raw bytes and exactly one outcome.

The row is the intake's ledger: it is committed before the mailbox is touched, and its
unique `dedupe_key` (the Message-ID, or the raw bytes' hash when there is none) is what
makes an IMAP re-poll, a webhook retry or a copy in a second mailbox a `duplicate`.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, utcnow
from app.extensions import db

OUTCOMES = ("ticket", "reply", "duplicate", "ignored", "quarantined")
SOURCES = ("imap", "api", "cli")


class IntakeMessage(db.Model):
    __tablename__ = "intake_messages"
    __table_args__ = (
        Index("ix_intake_messages_outcome", "outcome", "id"),
        Index("ix_intake_messages_sender", "sender", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(80), unique=True)
    message_id: Mapped[str | None] = mapped_column(String(255), index=True)
    source: Mapped[str] = mapped_column(String(8))
    mailbox: Mapped[str] = mapped_column(String(255), default="")
    sender: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str | None] = mapped_column(String(200))
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    raw_size: Mapped[int] = mapped_column(Integer, default=0)
    html_body: Mapped[str | None] = mapped_column(Text)  # nh3-sanitised copy, for admins
    outcome: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str] = mapped_column(String(255), default="")
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), index=True)
    desk_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    retries: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    ticket = relationship("Ticket")

    def __repr__(self) -> str:
        return f"<IntakeMessage {self.id} {self.outcome} {self.message_id}>"
