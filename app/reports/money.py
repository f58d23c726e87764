"""Money dashboard: actions executed per day, failed actions, and the auto-approved share.

Definitions:
- executed: Action rows in state `done`, bucketed by finished_at; credits also sum their amount;
- failed: Action rows in state `failed` or `needs_review` last updated in the period
  (uses the outbox's own (state, updated_at) index);
- auto-approved share: Approval rows created in the period with is_auto, over all of them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select

from app.actions.models import Action, ActionKind, ActionState
from app.extensions import db
from app.reports.periods import Period, as_date, ratio
from app.triage.models import Approval

KINDS = tuple(k.value for k in ActionKind)
FAILED_STATES = (ActionState.FAILED.value, ActionState.NEEDS_REVIEW.value)
ZERO = Decimal("0")


@dataclass
class DayActions:
    day: date
    counts: dict[str, int] = field(default_factory=lambda: {k: 0 for k in KINDS})
    credited: Decimal = ZERO


@dataclass
class ApprovalFigures:
    total: int
    auto: int
    overridden: int

    @property
    def auto_share(self):
        return ratio(self.auto, self.total)


def executed(period: Period) -> list[DayActions]:
    """Done actions per bucket and kind, every bucket present."""
    bucket = period.bucket(Action.finished_at)
    query = (select(bucket, Action.kind, func.count(), func.sum(Action.amount))
             .where(Action.state == ActionState.DONE.value,
                    Action.finished_at >= period.start, Action.finished_at < period.end)
             .group_by(bucket, Action.kind))
    days = {b: DayActions(b) for b in period.buckets()}
    for b, kind, count, amount in db.session.execute(query):
        day = days.setdefault(as_date(b), DayActions(as_date(b)))
        day.counts[kind] = day.counts.get(kind, 0) + count
        if kind == ActionKind.CREDIT.value:
            day.credited += amount or ZERO
    return [days[b] for b in sorted(days)]


def failed_counts(period: Period) -> dict[tuple[str, str], int]:
    """{(kind, state): count} of actions that failed or need review."""
    query = (select(Action.kind, Action.state, func.count())
             .where(Action.state.in_(FAILED_STATES),
                    Action.updated_at >= period.start, Action.updated_at < period.end)
             .group_by(Action.kind, Action.state))
    return {(kind, state): count for kind, state, count in db.session.execute(query)}


def failed_actions(period: Period, limit: int = 50) -> list[Action]:
    """The latest failed actions, for the table an agent works through."""
    query = (select(Action).where(Action.state.in_(FAILED_STATES),
                                  Action.updated_at >= period.start, Action.updated_at < period.end)
             .order_by(Action.updated_at.desc(), Action.id.desc()).limit(limit))
    return list(db.session.scalars(query))


def approvals(period: Period) -> ApprovalFigures:
    query = select(func.count(), func.sum(case((Approval.is_auto, 1), else_=0)),
                   func.sum(case((Approval.is_override, 1), else_=0))
                   ).where(Approval.created_at >= period.start, Approval.created_at < period.end)
    total, auto, overridden = db.session.execute(query).one()
    return ApprovalFigures(total, int(auto or 0), int(overridden or 0))
