"""Upstream providers and the services the panel buys from them."""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Money
from app.extensions import db


class Provider(db.Model):
    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    api_url: Mapped[str] = mapped_column(String(500))
    # Secret: never rendered, logged or put in a repr.
    api_key: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    services: Mapped[list["Service"]] = relationship(back_populates="provider")

    def __repr__(self) -> str:
        return f"<Provider {self.id} {self.name}>"


class Service(db.Model):
    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("provider_id", "provider_service_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    provider_service_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(120), default="")
    rate: Mapped[object] = mapped_column(Money, default=0)
    refill: Mapped[bool] = mapped_column(Boolean, default=False)
    refill_days: Mapped[int] = mapped_column(Integer, default=0)
    cancel: Mapped[bool] = mapped_column(Boolean, default=False)

    provider: Mapped[Provider] = relationship(back_populates="services")

    def __repr__(self) -> str:
        return f"<Service {self.id} {self.name!r}>"
