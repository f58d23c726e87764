"""Report periods and time buckets that group the same way on SQLite and PostgreSQL.

Days are UTC days. A bucket is computed in SQL (so GROUP BY stays in the database and the
distinct counts are exact) by a small construct compiled per dialect:
SQLite `date(x)` / `date(x, '-6 days', 'weekday 1')`, PostgreSQL `CAST(x AS DATE)` /
`CAST(date_trunc('week', x) AS DATE)`. Weeks start on Monday on both.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import Date
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.errors import ValidationError

GRANULARITIES = ("day", "week")
DEFAULT_DAYS = 30
MAX_DAYS = 400


class utc_day(FunctionElement):
    """The UTC calendar day of a naive-UTC timestamp column."""

    type = Date()
    inherit_cache = True
    name = "utc_day"


class utc_week(FunctionElement):
    """The Monday of the UTC week of a naive-UTC timestamp column."""

    type = Date()
    inherit_cache = True
    name = "utc_week"


@compiles(utc_day, "sqlite")
def _day_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day)
def _day_default(element, compiler, **kw):
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


@compiles(utc_week, "sqlite")
def _week_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, '-6 days', 'weekday 1')"


@compiles(utc_week)
def _week_default(element, compiler, **kw):
    return f"CAST(date_trunc('week', {compiler.process(element.clauses, **kw)}) AS DATE)"


def as_date(value) -> date:
    """SQLite hands buckets back as 'YYYY-MM-DD' text, PostgreSQL as dates."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Period:
    """Whole UTC days `first`..`last` (inclusive) and the trend granularity."""

    first: date
    last: date
    granularity: str = "day"

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), tzinfo=timezone.utc)

    @property
    def end(self) -> datetime:
        """Exclusive end: midnight after `last`."""
        return datetime.combine(self.last + timedelta(days=1), time(), tzinfo=timezone.utc)

    def bucket(self, column):
        return utc_week(column) if self.granularity == "week" else utc_day(column)

    def buckets(self) -> list[date]:
        """Every bucket in the period, so days without rows still appear (as zeros) in charts."""
        step = 7 if self.granularity == "week" else 1
        first = self.first - timedelta(days=self.first.weekday()) if step == 7 else self.first
        return [first + timedelta(days=n) for n in range(0, (self.last - first).days + 1, step)]

    def as_args(self) -> dict:
        return {"from": self.first.isoformat(), "to": self.last.isoformat(), "by": self.granularity}

    @classmethod
    def from_args(cls, args, today: date) -> "Period":
        """`from`/`to` (YYYY-MM-DD) and `by` (day|week); default: the last 30 days by day."""
        last = _parse_date(args.get("to"), "to") or today
        first = _parse_date(args.get("from"), "from") or last - timedelta(days=DEFAULT_DAYS - 1)
        granularity = args.get("by") or "day"
        if granularity not in GRANULARITIES:
            raise ValidationError("Group by day or by week.", field="by")
        if first > last:
            raise ValidationError("The period starts after it ends.", field="from")
        if (last - first).days >= MAX_DAYS:
            raise ValidationError(f"Choose at most {MAX_DAYS} days.", field="from")
        return cls(first, last, granularity)


# Far enough out for any panel, near enough that a period's arithmetic never leaves the calendar
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)


def _parse_date(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError("Dates are written YYYY-MM-DD.", field=field) from None
    if not EARLIEST <= parsed <= LATEST:
        raise ValidationError(f"Choose a date between {EARLIEST} and {LATEST}.", field=field)
    return parsed


def ratio(part, whole) -> Decimal | None:
    """part / whole to four places, or None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


def percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
