"""Refund rates per service and provider, their trend, and the jump flag, against hand-computed figures."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.extensions import db
from app.reports import refunds
from app.reports.periods import Period
from tests.reports.support import order, provider_with_services, refund

PERIOD = Period(date(2026, 3, 1), date(2026, 3, 10))


@pytest.fixture
def panel(make_user):
    """Two providers, three services; see each test for the sums."""
    customer = make_user()
    s1, s2 = provider_with_services("Alpha", "Followers", "Likes")
    (s3,) = provider_with_services("Beta", "Views")
    o1 = order(customer, s1, "2026-03-01 10:00", "10.00", "Canceled")
    order(customer, s1, "2026-03-01 23:59", "5.00")
    o3 = order(customer, s1, "2026-03-03 08:00", "20.00", "Partial")
    o4 = order(customer, s2, "2026-03-02 00:00", "8.00", "Partial")
    order(customer, s3, "2026-03-05 12:00", "4.00")
    o6 = order(customer, s3, "2026-02-20 12:00", "6.00", "Canceled")  # placed before, refunded inside
    order(customer, s1, "2026-03-11 00:00", "100.00")  # the day after the period
    refund(o1, "2026-03-02 09:00", "10.00")
    refund(o3, "2026-03-04 09:00", "10.00", "status:Partial")
    refund(o4, "2026-03-02 10:00", "2.00", "status:Partial")
    refund(o4, "2026-03-05 10:00", "1.00", "override:1")
    refund(o6, "2026-03-06 10:00", "6.00")
    refund(o1, "2026-03-11 00:00", "0.50", "late")  # after the period
    db.session.commit()
    return {"s1": s1, "s2": s2, "s3": s3}


def _by_name(rows):
    return {r.name: r.figures for r in rows}


def test_rates_per_service(panel):
    figures = _by_name(refunds.refund_rates("service", PERIOD))
    assert (figures["Followers"].orders, figures["Followers"].charged) == (3, Decimal("35.00"))
    assert (figures["Followers"].refunded_orders, figures["Followers"].refunded) == (2, Decimal("20.00"))
    assert figures["Followers"].amount_rate == Decimal("0.5714")
    assert figures["Followers"].order_rate == Decimal("0.6667")
    assert (figures["Likes"].refunded_orders, figures["Likes"].refunded) == (1, Decimal("3.00"))
    assert figures["Likes"].amount_rate == Decimal("0.3750")
    # a refund in the window for an order placed before it: counted, so the rate can pass 100%
    assert (figures["Views"].orders, figures["Views"].refunded) == (1, Decimal("6.00"))
    assert figures["Views"].amount_rate == Decimal("1.5000")


def test_rates_per_provider(panel):
    figures = _by_name(refunds.refund_rates("provider", PERIOD))
    alpha = figures["Alpha"]
    assert (alpha.orders, alpha.charged, alpha.refunded_orders, alpha.refunded) == (4, Decimal("43.00"), 3, Decimal("23.00"))
    assert alpha.amount_rate == Decimal("0.5349") and alpha.order_rate == Decimal("0.7500")
    assert figures["Beta"].order_rate == Decimal("1.0000")


def test_daily_trend(panel):
    rows = refunds.refund_rates("service", PERIOD)
    trend = dict(refunds.overall_trend(rows, PERIOD))
    assert len(trend) == 10
    day = lambda d: trend[date(2026, 3, d)]  # noqa: E731
    assert (day(1).orders, day(1).charged, day(1).refunded) == (2, Decimal("15.00"), Decimal("0"))
    assert (day(2).orders, day(2).charged, day(2).refunded_orders, day(2).refunded) == (1, Decimal("8.00"), 2, Decimal("12.00"))
    assert (day(4).orders, day(4).refunded) == (0, Decimal("10.00"))
    assert day(6).refunded == Decimal("6.00") and day(10).orders == 0


def test_weekly_trend_counts_each_order_once_per_week(panel):
    weekly = Period(PERIOD.first, PERIOD.last, "week")
    trend = dict(refunds.overall_trend(refunds.refund_rates("service", weekly), weekly))
    assert list(trend) == [date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9)]  # Mondays
    week = trend[date(2026, 3, 2)]
    # o4 is credited twice that week: one refunded order, two amounts
    assert (week.orders, week.charged, week.refunded_orders, week.refunded) == (3, Decimal("32.00"), 4, Decimal("29.00"))
    assert trend[date(2026, 2, 23)].orders == 2 and trend[date(2026, 3, 9)].orders == 0


# -- the jump flag --------------------------------------------------------------------------

def _jump(recent_orders, recent_refunded, baseline_orders, baseline_refunded):
    figures = lambda n, r: refunds.Figures(n, Decimal(10 * n), 1 if r else 0, Decimal(r))  # noqa: E731
    return refunds.Jump(figures(recent_orders, recent_refunded), figures(baseline_orders, baseline_refunded))


@pytest.mark.parametrize("recent_orders, recent_refunded, baseline_orders, baseline_refunded, flagged", [
    (10, 20, 20, 10, True),    # 20% against 5%
    (9, 18, 20, 10, False),    # 20% but only 9 orders
    (10, 10, 20, 10, False),   # 10% is exactly twice 5%: not *more* than twice
    (10, 11, 20, 10, True),    # 11% > 10%
    (10, 4, 0, 0, False),      # 4% over nothing: under the 5% floor
    (10, 5, 0, 0, True),       # 5% over a quiet baseline
])
def test_jump_rule(recent_orders, recent_refunded, baseline_orders, baseline_refunded, flagged):
    assert _jump(recent_orders, recent_refunded, baseline_orders, baseline_refunded).is_flagged is flagged


def test_jump_flag_from_the_database(make_user):
    """Last 7 days to 30 April: 10 orders, 2 refunded (20%); the 28 days before: 20 orders, 1 refunded (5%)."""
    customer = make_user()
    (bad, steady) = provider_with_services("Gamma", "Bad service", "Steady service")
    for n in range(20):
        o = order(customer, bad, f"2026-04-{1 + n:02d} 12:00", "10.00")
        if n == 0:
            refund(o, "2026-04-02 12:00", "10.00")
        order(customer, steady, f"2026-04-{1 + n:02d} 12:00", "10.00")
    for n in range(10):
        o = order(customer, bad, f"2026-04-{24 + n % 7:02d} 12:00", "10.00")
        if n < 2:
            refund(o, "2026-04-29 12:00", "10.00")
    db.session.commit()
    rows = {r.name: r for r in refunds.refund_rates("service", Period(date(2026, 4, 1), date(2026, 4, 30)))}
    jump = rows["Bad service"].jump
    assert (jump.recent.orders, jump.recent.amount_rate, jump.baseline.orders, jump.baseline.amount_rate) == (
        10, Decimal("0.2000"), 20, Decimal("0.0500"))
    assert jump.is_flagged
    assert not rows["Steady service"].jump  # no orders in the last 7 days: nothing to judge
