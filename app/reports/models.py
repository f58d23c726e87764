"""Screenshot matches, and the indexes the report queries need on other features' tables.

The indexes are attached to the other tables' metadata here (not in their models) so the
reports feature owns what it needs, and Alembic autogenerate still sees them.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.actions.models import Action
from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.orders.models import Order
from app.tickets.models import Ticket
from app.triage.models import Approval
from app.wallet.models import LedgerEntry


class ScreenshotMatch(db.Model):
    """Two attachments on different tickets whose perceptual hashes are within MAX_DISTANCE bits.

    Stored once per pair (the newer attachment first) when the newer one is attached,
    so the queue can filter on reuse with a plain join.
    """

    __tablename__ = "screenshot_matches"
    __table_args__ = (UniqueConstraint("attachment_id", "match_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"))
    match_id: Mapped[int] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"), index=True)
    distance: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attachment = relationship("Attachment", foreign_keys=[attachment_id])
    match = relationship("Attachment", foreign_keys=[match_id])

    def __repr__(self) -> str:
        return f"<ScreenshotMatch {self.attachment_id}~{self.match_id} d={self.distance}>"


# Range scans for the dashboards: each report filters on one time column and groups by a key.
REPORT_INDEXES = (
    # covering (charge, amount) so the range scans never visit the table rows
    Index("ix_orders_created_service", Order.created_at, Order.service_id, Order.charge),
    Index("ix_orders_link", Order.link),
    Index("ix_ledger_entries_kind_created", LedgerEntry.kind, LedgerEntry.created_at, LedgerEntry.order_id,
          LedgerEntry.amount),
    Index("ix_tickets_created", Ticket.created_at),
    Index("ix_tickets_resolved", Ticket.resolved_at, Ticket.assignee_id),
    Index("ix_actions_state_finished", Action.state, Action.finished_at, Action.kind),
    Index("ix_approvals_created", Approval.created_at),
)
