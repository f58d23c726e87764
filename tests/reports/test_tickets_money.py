"""Ticket SLA, backlog and throughput, and the money dashboard, against hand-computed figures."""
from __future__ import annotations

import itertools

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.actions.models import Action
from app.extensions import db
from app.reports import money, tickets
from app.reports.periods import Period
from app.tickets.models import Ticket
from app.triage.models import Approval, Verdict
from tests.reports.support import at

PERIOD = Period(date(2026, 3, 1), date(2026, 3, 10))
NOW = at("2026-03-20 00:00")


def ticket(customer, created, fr_due, responded, res_due, resolved, status, kind="refund", assignee=None):
    t = Ticket(customer_id=customer.id, kind=kind, reason="other", subject="s", status=status,
               assignee_id=assignee.id if assignee else None, created_at=at(created), updated_at=at(created),
               first_response_due_at=at(fr_due), first_responded_at=responded and at(responded),
               resolution_due_at=at(res_due), resolved_at=resolved and at(resolved))
    db.session.add(t)
    return t


@pytest.fixture
def desk(make_user):
    customer, ann, bob = make_user(), make_user("agent", name="Ann"), make_user("agent", name="Bob")
    ticket(customer, "2026-03-01 00:00", "2026-03-01 04:00", "2026-03-01 02:00", "2026-03-02 00:00",
           "2026-03-01 12:00", "resolved", assignee=ann)
    ticket(customer, "2026-03-02 00:00", "2026-03-02 04:00", "2026-03-02 06:00", "2026-03-03 00:00",
           "2026-03-04 00:00", "closed", assignee=ann)
    ticket(customer, "2026-03-03 00:00", "2026-03-03 04:00", None, "2026-03-04 00:00", None, "open",
           kind="refill", assignee=bob)
    ticket(customer, "2026-03-04 00:00", "2026-03-21 00:00", None, "2026-03-22 00:00", None, "new")
    ticket(customer, "2026-02-20 00:00", "2026-02-20 04:00", "2026-02-20 01:00", "2026-03-06 00:00",
           "2026-03-05 00:00", "resolved", assignee=bob)
    db.session.commit()
    return {"ann": ann, "bob": bob}


def test_sla_cohort(desk):
    first, resolution = tickets.sla(PERIOD, NOW)
    # answered: 2 h (on time) and 6 h (late); #3 unanswered past due; #4 not due yet, not judged
    assert (first.done, first.on_time, first.breaches) == (2, 1, 2)
    assert (first.median, first.p90) == (timedelta(hours=2), timedelta(hours=6))
    assert first.within_rate == Decimal("0.3333")
    assert (resolution.done, resolution.on_time, resolution.breaches) == (2, 1, 2)
    assert (resolution.median, resolution.p90) == (timedelta(hours=12), timedelta(hours=48))


def test_backlog_and_throughput(desk):
    backlog = tickets.backlog()
    assert backlog["new"]["refund"] == 1 and backlog["open"]["refill"] == 1
    assert sum(sum(row.values()) for row in backlog.values()) == 2
    rows = {r.name: (r.resolved, r.resolved_on_time) for r in tickets.throughput(PERIOD)}
    assert rows == {"Ann": (2, 1), "Bob": (1, 1)}


def test_created_and_resolved_per_day(desk):
    flow = {d: (c, r) for d, c, r in tickets.flow(PERIOD)}
    assert flow[date(2026, 3, 1)] == (1, 1)
    assert flow[date(2026, 3, 4)] == (1, 1)
    assert flow[date(2026, 3, 5)] == (0, 1)
    assert sum(c for c, _ in flow.values()) == 4 and sum(r for _, r in flow.values()) == 3


def test_percentile_is_nearest_rank():
    values = [timedelta(hours=h) for h in (5, 1, 3, 2, 4)]
    assert tickets.percentile(values, 0.5) == timedelta(hours=3)
    assert tickets.percentile(values, 0.9) == timedelta(hours=5)
    assert tickets.percentile([], 0.5) is None


_action_keys = itertools.count(1)


def _action(customer, kind, state, finished=None, updated="2026-03-05 00:00", amount=None):
    key = [next(_action_keys)]
    db.session.add(Action(customer_id=customer.id, kind=kind, state=state, amount=amount and Decimal(amount),
                          idempotency_key=f"t{key[0]}", finished_at=finished and at(finished), updated_at=at(updated)))


def _approval(customer, ticket_id, auto, override, created):
    verdict = Verdict(ticket_id=ticket_id, decision="credit", policy="p", policy_version="1")
    db.session.add(verdict)
    db.session.flush()
    db.session.add(Approval(verdict=verdict, ticket_id=ticket_id, decision="credit", is_auto=auto,
                            is_override=override, created_at=at(created)))


def test_money(make_user):
    customer = make_user()
    _action(customer, "credit", "done", "2026-03-01 10:00", amount="2.50")
    _action(customer, "credit", "done", "2026-03-01 23:00", amount="1.25")
    _action(customer, "provider_refill", "done", "2026-03-03 10:00")
    _action(customer, "provider_cancel", "done", "2026-03-11 00:00")  # after the period
    _action(customer, "credit", "queued")
    _action(customer, "provider_cancel", "failed", updated="2026-03-04 00:00")
    _action(customer, "provider_refill", "needs_review", updated="2026-03-09 00:00")
    _action(customer, "provider_refill", "failed", updated="2026-02-01 00:00")  # before the period
    t = Ticket(customer_id=customer.id, kind="refund", reason="other", subject="s", created_at=at("2026-03-01 00:00"),
               first_response_due_at=at("2026-03-01 04:00"), resolution_due_at=at("2026-03-02 00:00"))
    db.session.add(t)
    db.session.flush()
    for auto, override, created in ((True, False, "2026-03-01 00:00"), (True, False, "2026-03-02 00:00"),
                                    (False, True, "2026-03-03 00:00"), (False, False, "2026-03-12 00:00")):
        _approval(customer, t.id, auto, override, created)
    db.session.commit()
    days = {d.day: d for d in money.executed(PERIOD)}
    assert days[date(2026, 3, 1)].counts == {"credit": 2, "provider_refill": 0, "provider_cancel": 0}
    assert days[date(2026, 3, 1)].credited == Decimal("3.75")
    assert days[date(2026, 3, 3)].counts["provider_refill"] == 1
    assert sum(d.counts["provider_cancel"] for d in days.values()) == 0
    assert money.failed_counts(PERIOD) == {("provider_cancel", "failed"): 1, ("provider_refill", "needs_review"): 1}
    figures = money.approvals(PERIOD)
    assert (figures.total, figures.auto, figures.overridden, figures.auto_share) == (3, 2, 1, Decimal("0.6667"))
