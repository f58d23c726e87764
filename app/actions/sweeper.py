"""The sweeper: Redis is not the source of truth, the actions table is.

Periodically re-enqueues every action that should have moved but did not: queued for a
while (Redis was down at commit, a FLUSHALL, a job lost between dequeue and start), or
running past its lease or its next follow-up time (the worker was killed, a scheduled
follow-up job was lost). Re-enqueuing is always safe because a run first *claims* the
action with a conditional UPDATE; a duplicate job finds nothing to claim and returns.

It also re-queues the "finish" step (tell the customer, resolve the ticket) of actions
that finished recently on a ticket still open: that job is queued after the money commit
and could be lost the same way; it is idempotent, so a second run says nothing twice.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select

from app.actions.execution import ACTIVE_STATES, FINISH_JOB, enqueue_later
from app.actions.models import Action, ActionState
from app.db import utcnow
from app.extensions import db
from app.outbox import enqueue_now
from app.tickets.models import ACTIVE_STATUSES, Ticket

FINISH_WINDOW = timedelta(hours=1)

DEFAULT_STALE_SECONDS = 120


def stale_actions(now: datetime, stale_seconds: float, limit: int = 500) -> list[Action]:
    cutoff = now - timedelta(seconds=stale_seconds)
    return list(db.session.scalars(
        select(Action).where(
            Action.state.in_(ACTIVE_STATES),
            or_(and_(Action.next_attempt_at.is_(None), Action.updated_at <= cutoff),
                Action.next_attempt_at <= cutoff),
        ).order_by(Action.id).limit(limit)
    ))


def sweep(now: datetime | None = None, stale_seconds: float | None = None) -> list[int]:
    """Enqueue every stale action now; returns their ids. Idempotent and cheap to run every minute."""
    from flask import current_app

    now = now or utcnow()
    if stale_seconds is None:
        stale_seconds = float(current_app.config.get("ACTIONS_SWEEP_AFTER_SECONDS", DEFAULT_STALE_SECONDS))
    actions = stale_actions(now, stale_seconds)
    enqueued = [action.id for action in actions if enqueue_later(action, 0)]
    for action_id in unfinished_on_open_tickets(now, stale_seconds):
        enqueue_now("notifications", FINISH_JOB, action_id, job_id=f"finish-{action_id}-sweep-{int(now.timestamp())}")
    db.session.rollback()
    return enqueued


def unfinished_on_open_tickets(now: datetime, stale_seconds: float) -> list[int]:
    """Done actions of the last hour whose ticket is still open: their finish job may be lost."""
    return list(db.session.scalars(
        select(Action.id).join(Ticket, Ticket.id == Action.ticket_id).where(
            Action.state == ActionState.DONE.value,
            Action.finished_at >= now - FINISH_WINDOW,
            Action.finished_at <= now - timedelta(seconds=stale_seconds),
            Ticket.status.in_(ACTIVE_STATUSES),
        ).order_by(Action.id).limit(200)
    ))
