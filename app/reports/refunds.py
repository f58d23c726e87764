"""Refund rate per service and per provider, its trend, and the jump flag.

Definitions (one set, used by the page, the CSV and the tests):
- charged / orders: Σ Order.charge and the number of orders *created* in the window;
- refunded / refunded orders: Σ amount and distinct orders of LedgerEntry rows of kind
  `refund_credit` *credited* in the window (LedgerEntry.created_at), attributed to the order's
  service and provider. Order.refunded is not used, so every figure is a ledger sum.
  Credits without an order (payment tickets) belong to no service and are left out.
- amount rate = refunded / charged; order rate = refunded orders / orders. Both compare flows in
  the same window, so a thin day can exceed 100%; that is why the jump flag needs a minimum.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.orders.models import Order
from app.providers.models import Provider, Service
from app.reports.periods import Period, as_date, ratio
from app.wallet.models import LedgerEntry

ZERO = Decimal("0")
# Jump flag: the last 7 days' amount rate is more than JUMP_FACTOR × the 28 days before,
# with at least JUMP_MIN_ORDERS orders in those 7 days and a rate of at least JUMP_MIN_RATE.
JUMP_RECENT_DAYS = 7
JUMP_BASELINE_DAYS = 28
JUMP_FACTOR = Decimal("2")
JUMP_MIN_ORDERS = 10
JUMP_MIN_RATE = Decimal("0.05")
SEGMENTS = ("service", "provider")


@dataclass
class Figures:
    orders: int = 0
    charged: Decimal = ZERO
    refunded_orders: int = 0
    refunded: Decimal = ZERO

    @property
    def amount_rate(self) -> Decimal | None:
        return ratio(self.refunded, self.charged)

    @property
    def order_rate(self) -> Decimal | None:
        return ratio(self.refunded_orders, self.orders)


@dataclass
class Jump:
    recent: Figures
    baseline: Figures

    @property
    def is_flagged(self) -> bool:
        recent_rate = self.recent.amount_rate or ZERO
        baseline_rate = self.baseline.amount_rate or ZERO
        return (self.recent.orders >= JUMP_MIN_ORDERS and recent_rate >= JUMP_MIN_RATE
                and recent_rate > JUMP_FACTOR * baseline_rate)


@dataclass
class RateRow:
    key: int
    name: str
    provider: str
    figures: Figures
    jump: Jump | None = None
    trend: dict[date, Figures] = field(default_factory=dict)


# Queries group by service only; a provider's figures are the sum of its services' (every order
# has one service, so even the distinct refunded-order counts add up exactly).

def _charges(start, end, bucket=None):
    cols = [Order.service_id] + ([bucket(Order.created_at)] if bucket else [])
    query = (select(*cols, func.count(Order.id), func.coalesce(func.sum(Order.charge), ZERO))
             .where(Order.created_at >= start, Order.created_at < end).group_by(*cols))
    return db.session.execute(query).all()


def _refunds(start, end, bucket=None):
    cols = [Order.service_id] + ([bucket(LedgerEntry.created_at)] if bucket else [])
    query = (select(*cols, func.count(LedgerEntry.order_id.distinct()), func.sum(LedgerEntry.amount))
             .join(Order, Order.id == LedgerEntry.order_id)
             .where(LedgerEntry.kind == "refund_credit",
                    LedgerEntry.created_at >= start, LedgerEntry.created_at < end)
             .group_by(*cols))
    return db.session.execute(query).all()


def _add(into: Figures, other: Figures) -> None:
    into.orders += other.orders
    into.charged += other.charged
    into.refunded_orders += other.refunded_orders
    into.refunded += other.refunded


def _by_provider(per_service: dict, provider_of: dict[int, int], merge) -> dict:
    out: dict = {}
    for service_id, value in per_service.items():
        merge(out.setdefault(provider_of[service_id], type(value)()), value)
    return out


def _merge_trend(into: dict, other: dict) -> None:
    for day, figures in other.items():
        _add(into.setdefault(day, Figures()), figures)


def service_totals(start, end) -> dict[int, Figures]:
    """Figures per service id for [start, end): two indexed GROUP BY queries."""
    totals: dict[int, Figures] = {}
    for key, count, charged in _charges(start, end):
        totals.setdefault(key, Figures()).__dict__.update(orders=count, charged=charged)
    for key, count, refunded in _refunds(start, end):
        totals.setdefault(key, Figures()).__dict__.update(refunded_orders=count, refunded=refunded)
    return totals


def service_trend(period: Period) -> dict[int, dict[date, Figures]]:
    """Figures per service and bucket (day or week) over the period."""
    trend: dict[int, dict[date, Figures]] = {}
    for key, day, count, charged in _charges(period.start, period.end, period.bucket):
        figures = trend.setdefault(key, {}).setdefault(as_date(day), Figures())
        figures.orders, figures.charged = count, charged
    for key, day, count, refunded in _refunds(period.start, period.end, period.bucket):
        figures = trend.setdefault(key, {}).setdefault(as_date(day), Figures())
        figures.refunded_orders, figures.refunded = count, refunded
    return trend


def jump_windows(period: Period) -> tuple[dict[int, Figures], dict[int, Figures]]:
    """Per service: recent (7 days to the period's end) and baseline (the 28 days before)."""
    recent_start = period.end - timedelta(days=JUMP_RECENT_DAYS)
    baseline_start = recent_start - timedelta(days=JUMP_BASELINE_DAYS)
    return service_totals(recent_start, period.end), service_totals(baseline_start, recent_start)


def _segment(segment: str, data: dict, provider_of: dict[int, int], merge=_add) -> dict:
    """Per-service figures as they are, or summed per provider."""
    return data if segment == "service" else _by_provider(data, provider_of, merge)


def _provider_of() -> dict[int, int]:
    return {sid: pid for sid, pid in db.session.execute(select(Service.id, Service.provider_id))}


def _names(segment: str) -> dict[int, tuple[str, str]]:
    if segment == "service":
        rows = db.session.execute(select(Service.id, Service.name, Provider.name).join(Provider))
        return {sid: (name, provider) for sid, name, provider in rows}
    return {pid: (name, name) for pid, name in db.session.execute(select(Provider.id, Provider.name))}


def refund_rates(segment: str, period: Period) -> list[RateRow]:
    """One row per service (or provider) with orders or refunds in the period, highest refunded first."""
    return both_segments(period)[segment]


def both_segments(period: Period) -> dict[str, list[RateRow]]:
    """Rows per service and per provider from one set of queries (eight GROUP BYs in all)."""
    provider_of = _provider_of()
    data = (service_totals(period.start, period.end), service_trend(period), *jump_windows(period))
    return {segment: _rows(segment, data, provider_of) for segment in SEGMENTS}


def _rows(segment: str, data, provider_of) -> list[RateRow]:
    names = _names(segment)
    totals, trend, recent, baseline = (
        _segment(segment, part, provider_of, _merge_trend if n == 1 else _add) for n, part in enumerate(data))
    rows = [RateRow(key, *names.get(key, (f"#{key}", "")), figures,
                    Jump(recent[key], baseline.get(key, Figures())) if key in recent else None, trend.get(key, {}))
            for key, figures in totals.items()]
    return sorted(rows, key=lambda r: (-r.figures.refunded, -r.figures.charged, r.name))


def overall_trend(rows: list[RateRow], period: Period) -> list[tuple[date, Figures]]:
    """The whole panel per bucket, summed from the segment rows (every bucket, zeros included)."""
    out = []
    for bucket in period.buckets():
        total = Figures()
        for row in rows:
            f = row.trend.get(bucket)
            if f:
                total.orders += f.orders
                total.charged += f.charged
                total.refunded_orders += f.refunded_orders
                total.refunded += f.refunded
        out.append((bucket, total))
    return out
