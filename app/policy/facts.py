"""Facts: the handful of derived values that policy conditions test.

Computing them once, here, keeps each condition a one-line lookup and keeps every time window measured
the same way: from the case's `now`, never from the clock. A fact that cannot be known (no order, no
completion time) is None, and a condition on an unknown fact never matches, so such cases fall through
to a later rule or to review instead of being guessed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.policy.case import Case
from app.policy.vocab import canonical_status


@dataclass(frozen=True)
class Facts:
    kind: str
    reason: str
    status: str | None          # canonical status, None when there is no order or it is unknown
    raw_status: str | None
    has_order: bool
    has_payment: bool
    suspended: bool
    chargeback: bool
    service_refill: bool | None
    service_cancel: bool | None
    overlapping: bool | None
    delivered: str | None       # "none" | "some" | "all"
    fully_refunded: bool | None
    refill_window: str | None   # "open" | "closed" | "none" (no refill cover) | "unknown"
    status_age_hours: float | None
    charge_age_hours: float | None


def _hours(now: datetime, then: datetime | None) -> float | None:
    return None if then is None else (now - then) / timedelta(hours=1)


def _delivered(quantity: int, remains: int) -> str:
    if remains >= quantity:
        return "none"
    return "all" if remains <= 0 else "some"


def _refill_window(case: Case) -> str:
    """Whether a refill can still be asked for, measured from when the order entered its status."""
    order = case.order
    if not order.service.refill:
        return "none"
    if order.service.refill_days <= 0 or order.status_changed_at is None:
        return "unknown"
    ends = order.status_changed_at + timedelta(days=order.service.refill_days)
    return "open" if case.now <= ends else "closed"


def _charge_time(case: Case) -> datetime | None:
    """When the disputed money moved: the payment if the ticket names one, else the order's charge."""
    if case.payment is not None:
        return case.payment.created_at
    return case.order.created_at if case.order is not None else None


def derive(case: Case) -> Facts:
    order = case.order
    common = dict(
        kind=case.kind, reason=case.reason, has_payment=case.payment is not None,
        suspended=case.customer.suspended, chargeback=case.customer.chargeback,
        charge_age_hours=_hours(case.now, _charge_time(case)),
    )
    if order is None:
        return Facts(status=None, raw_status=None, has_order=False, service_refill=None,
                     service_cancel=None, overlapping=None, delivered=None, fully_refunded=None,
                     refill_window=None, status_age_hours=None, **common)
    return Facts(
        status=canonical_status(order.status), raw_status=order.status, has_order=True,
        service_refill=order.service.refill, service_cancel=order.service.cancel,
        overlapping=order.overlapping_orders > 0,
        delivered=_delivered(order.quantity, order.remains),
        fully_refunded=order.refunded >= order.charge,
        refill_window=_refill_window(case),
        status_age_hours=_hours(case.now, order.status_changed_at), **common,
    )
