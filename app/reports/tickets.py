"""Ticket dashboard: backlog, first-response and resolution times against SLA, agent throughput.

Definitions:
- backlog: active tickets (new, open, waiting) now, by status and kind;
- SLA figures cover tickets *created* in the period (a cohort). Median and p90 are taken over the
  tickets that were answered (resolved); "within SLA" is on-time / (answered + still unanswered
  past due), so a ticket that is neither answered nor due yet is not judged;
- a breach is an answer (resolution) after its due time, or an active ticket past due without one;
- throughput: tickets *resolved* in the period (Ticket.resolved_at) per assignee.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select

from app.auth.models import User
from app.extensions import db
from app.reports.periods import Period, as_date, ratio
from app.tickets.models import ACTIVE_STATUSES, KINDS, Ticket


@dataclass
class SlaFigures:
    """One SLA target (first response or resolution) over the cohort."""

    name: str
    done: int
    on_time: int
    breaches: int
    median: timedelta | None
    p90: timedelta | None

    @property
    def within_rate(self):
        return ratio(self.on_time, self.on_time + self.breaches)


@dataclass
class AgentRow:
    agent_id: int | None
    name: str
    resolved: int
    resolved_on_time: int


def percentile(values: list[timedelta], q: float) -> timedelta | None:
    """Nearest-rank percentile (q in 0..1): an observed value, easy to check by hand."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered)), 1) - 1]


def backlog() -> dict[str, dict[str, int]]:
    """{status: {kind: count}} for the active statuses, every cell present."""
    table = {status: {kind: 0 for kind in KINDS} for status in ACTIVE_STATUSES}
    query = (select(Ticket.status, Ticket.kind, func.count()).where(Ticket.status.in_(ACTIVE_STATUSES))
             .group_by(Ticket.status, Ticket.kind))
    for status, kind, count in db.session.execute(query):
        table[status][kind] = count
    return table


def _sla(name: str, rows, done_at: int, due_at: int, now: datetime) -> SlaFigures:
    durations, on_time, breaches = [], 0, 0
    for row in rows:
        created, done, due, status = row[0], row[done_at], row[due_at], row[-1]
        if done is not None:
            durations.append(done - created)
            on_time += done <= due
            breaches += done > due
        elif status in ACTIVE_STATUSES and due < now:
            breaches += 1
    return SlaFigures(name, len(durations), on_time, breaches,
                      percentile(durations, 0.5), percentile(durations, 0.9))


def sla(period: Period, now: datetime) -> list[SlaFigures]:
    """First response and resolution for tickets created in the period (one indexed range scan)."""
    query = select(Ticket.created_at, Ticket.first_responded_at, Ticket.first_response_due_at,
                   Ticket.resolved_at, Ticket.resolution_due_at, Ticket.status
                   ).where(Ticket.created_at >= period.start, Ticket.created_at < period.end)
    rows = db.session.execute(query).all()
    return [_sla("First response", rows, 1, 2, now), _sla("Resolution", rows, 3, 4, now)]


def flow(period: Period) -> list[tuple[date, int, int]]:
    """(bucket, created, resolved) for every bucket of the period."""
    created = _count_by_bucket(Ticket.created_at, period)
    resolved = _count_by_bucket(Ticket.resolved_at, period)
    return [(b, created.get(b, 0), resolved.get(b, 0)) for b in period.buckets()]


def _count_by_bucket(column, period: Period) -> dict[date, int]:
    bucket = period.bucket(column)
    query = select(bucket, func.count()).where(column >= period.start, column < period.end).group_by(bucket)
    return {as_date(b): count for b, count in db.session.execute(query)}


def throughput(period: Period) -> list[AgentRow]:
    """Tickets resolved in the period per assignee (None: resolved while unassigned)."""
    on_time = func.sum(case((Ticket.resolved_at <= Ticket.resolution_due_at, 1), else_=0))
    query = (select(Ticket.assignee_id, func.count(), on_time)
             .where(Ticket.resolved_at >= period.start, Ticket.resolved_at < period.end)
             .group_by(Ticket.assignee_id))
    counts = db.session.execute(query).all()
    ids = [agent_id for agent_id, _, _ in counts if agent_id is not None]
    names = {uid: name for uid, name in db.session.execute(select(User.id, User.name).where(User.id.in_(ids)))}
    rows = [AgentRow(aid, names.get(aid, "Unassigned"), n, int(ok or 0)) for aid, n, ok in counts]
    return sorted(rows, key=lambda r: (-r.resolved, r.name))


def hours(value: timedelta | None) -> str:
    """A duration as hours with one decimal, the unit agents think in for SLAs."""
    return "—" if value is None else f"{value.total_seconds() / 3600:.1f} h"
