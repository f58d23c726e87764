"""Panel orders with the last snapshot the provider reported."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Money, UTCDateTime, utcnow
from app.extensions import db

ORDER_STATUSES = ("Pending", "Processing", "In progress", "Completed", "Partial", "Canceled", "Refunded", "Failed")


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_customer_created", "customer_id", "created_at"),
        Index("ix_orders_status", "status"),  # the provider poll reads the active statuses every few minutes
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    panel_id: Mapped[str] = mapped_column(String(32), unique=True)  # what the customer knows: SMM12345
    customer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    link: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[int] = mapped_column(Integer)
    charge: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    status: Mapped[str] = mapped_column(String(32), default="Pending")
    start_count: Mapped[int | None] = mapped_column(Integer)
    remains: Mapped[int | None] = mapped_column(Integer)
    provider_order_id: Mapped[str | None] = mapped_column(String(64))
    refunded: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer = relationship("User")
    service = relationship("Service")

    @property
    def refill_until(self) -> datetime | None:
        """End of the refill window, counted from completion, for refill services."""
        if not self.service or not self.service.refill or self.status not in ("Completed", "Partial"):
            return None
        return self.status_changed_at + timedelta(days=self.service.refill_days)

    @property
    def delivered(self) -> int | None:
        if self.remains is None:
            return None
        return max(self.quantity - self.remains, 0)

    def __repr__(self) -> str:
        return f"<Order {self.panel_id} {self.status}>"
