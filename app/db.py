"""Column types shared by every feature: exact money and timezone-aware UTC times."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import DateTime, Numeric
from sqlalchemy.types import TypeDecorator

MONEY_PLACES = Decimal("0.00001")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Store naive UTC, hand back aware UTC: SQLite keeps no offset, PostgreSQL would convert."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class Money(TypeDecorator):
    """Exact decimal amounts with five places (SMM charges such as 0.27819 are common)."""

    impl = Numeric(18, 5)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return Decimal(value).quantize(MONEY_PLACES)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(value).quantize(MONEY_PLACES)


def format_money(amount: Decimal | None) -> str | None:
    """Decimal string for pages and the API: trailing zeros trimmed to at least two places."""
    if amount is None:
        return None
    text = format(Decimal(amount).normalize(), "f")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"
