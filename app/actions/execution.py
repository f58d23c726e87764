"""Executing outbox actions exactly once, on an at-least-once queue.

RQ may run a job twice (sweeper re-enqueue, a retried abandoned job) or never (Redis
lost it), so the database is the judge, never the job's arguments:

* **Claim.** Every step starts with one conditional UPDATE on the action row
  (`state IN (queued, running) AND (next_attempt_at IS NULL OR next_attempt_at <= now)`),
  which sets a lease (`next_attempt_at = now + lease`). Only one worker wins it, on
  PostgreSQL (row lock, re-checked predicate) and on SQLite (one writer) alike.
* **Credits** run claim + ledger entry + `state=done` in ONE transaction: a crash
  rolls everything back, and the ledger's UNIQUE(order, kind, cause) turns a second
  credit for the same order and cause into "already credited".
* **Provider calls** commit "about to call" (`state=running`, `attempts+1`) BEFORE the
  HTTP request, so a crash is visible. The states then mean:

      queued                   nothing was sent (or it provably was not): safe to send
      running, lease live      a worker is on it right now
      running, no provider_ref a send MAY have reached the provider: reconcile first
      running, provider_ref    the provider accepted (refill id / cancel requested): follow up
      done | failed | needs_review   final; failed and needs_review can be retried by an agent

  The SMM API has no idempotency key, so an unknown outcome is never blindly re-sent:
  a cancel asks `status` first (an order that is still active had no cancellation,
  and an order can end only once); a refill with no stored refill id goes to
  needs_review, because the API cannot list an order's refills.
* Transient failures retry with exponential backoff and jitter (`ACTIONS_MAX_ATTEMPTS`),
  then the action is `failed`, shown on the ticket and on the failed-actions page.

The provider steps live in `app.actions.provider_steps`; finishing (ticket resolution,
customer notice) runs as its own job after commit (`app.actions.finishing`).
"""
from __future__ import annotations

import logging
import os
import random
import time
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import or_, select, update

from app.actions.models import Action, ActionKind, ActionState
from app.actions.services import ACTIONS_QUEUE, DEFAULT_QUEUE, JOB_PATH
from app.db import utcnow
from app.extensions import db
from app.outbox import enqueue_after_commit
from app.wallet import services as wallet

log = logging.getLogger(__name__)

FINISH_JOB = "workers.actions.finish_action"
ACTIVE_STATES = (ActionState.QUEUED.value, ActionState.RUNNING.value)
DEFAULTS = {
    "ACTIONS_MAX_ATTEMPTS": 5,
    "ACTIONS_RETRY_BASE_SECONDS": 10,
    "ACTIONS_RETRY_MAX_SECONDS": 900,
    "ACTIONS_LEASE_SECONDS": 300,  # longer than the provider timeout and the RQ job timeout
    "ACTIONS_FOLLOW_SECONDS": 60,  # refill_status / status polling interval
    "ACTIONS_FOLLOW_HOURS": 48,  # then a person looks
    "ACTIONS_PROVIDER_TIMEOUT": 20,
    "ACTIONS_CLOCK_TOLERANCE_SECONDS": 2,
}


def setting(name: str):
    return current_app.config.get(name, DEFAULTS[name])


def run(action_id: int) -> str:
    """Do the next step of one action; returns what happened (for logs and tests)."""
    from app.actions import provider_steps

    now = utcnow()
    action = claim(action_id, now)
    if action is None:
        current = db.session.get(Action, action_id)
        return "missing" if current is None else f"skipped:{current.state}"
    try:
        if action.kind == ActionKind.CREDIT.value:
            return run_credit(action, now)
        if action.kind == ActionKind.PROVIDER_REFILL.value:
            return provider_steps.refill(action, now)
        if action.kind == ActionKind.PROVIDER_CANCEL.value:
            return provider_steps.cancel(action, now)
        return mark(action, ActionState.NEEDS_REVIEW, f"unknown action kind {action.kind!r}")
    except Exception as error:
        db.session.rollback()
        record_crash(action_id, error)
        raise


def claim(action_id: int, now: datetime) -> Action | None:
    """Win the next step of the action (see the module docstring), or None if it is not ours to run."""
    due = now + timedelta(seconds=setting("ACTIONS_CLOCK_TOLERANCE_SECONDS"))
    won = db.session.execute(
        update(Action)
        .where(Action.id == action_id, Action.state.in_(ACTIVE_STATES),
               or_(Action.next_attempt_at.is_(None), Action.next_attempt_at <= due))
        .values(updated_at=now, next_attempt_at=now + timedelta(seconds=setting("ACTIONS_LEASE_SECONDS")))
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        db.session.rollback()
        return None
    return db.session.get(Action, action_id, populate_existing=True)


def relock(action_id: int) -> Action:
    """Re-read the action under a row lock after a provider call, in a fresh transaction."""
    db.session.rollback()
    return db.session.scalars(select(Action).where(Action.id == action_id).with_for_update()
                              .execution_options(populate_existing=True)).one()


def run_credit(action: Action, now: datetime) -> str:
    """Claim, ledger entry and `done` commit together; a kill anywhere before commit leaves nothing."""
    action.attempts += 1
    if action.amount is None or action.amount <= 0:
        return mark(action, ActionState.NEEDS_REVIEW, "a credit needs a positive amount")
    note = None
    if action.order is not None:
        result = wallet.credit_refund(action.order, action.amount, action.cause, ticket_id=action.ticket_id,
                                      action_id=action.id)
        if result.already:
            note = "already credited for this order and cause; nothing entered twice"
        elif result.entry is None:
            note = "nothing left to credit: the order is already refunded in full"
    else:  # a payment ticket with no order: the claim above is what makes it single
        wallet.post(action.customer_id, "refund_credit", action.amount, action.cause[:64], ticket_id=action.ticket_id,
                    action_id=action.id, memo=f"Ticket #{action.ticket_id}")
    checkpoint("credit:after_ledger")
    outcome = mark(action, ActionState.DONE, note)
    checkpoint("credit:after_commit")
    return outcome if note is None else "done:" + note.split(":")[0]


def mark(action: Action, state: ActionState, error: str | None = None, *, now: datetime | None = None) -> str:
    """Move to a final state and commit; finishing (ticket, notice) is queued after commit."""
    now = now or utcnow()
    action.state, action.last_error, action.updated_at = state.value, error, now
    action.next_attempt_at = None
    action.finished_at = now
    if state is ActionState.DONE:
        queue_finish(action)
    db.session.commit()
    log.info("action %s %s -> %s%s", action.id, action.kind, state.value, f" ({error})" if error else "")
    return state.value


def queue_finish(action: Action) -> None:
    enqueue_after_commit("notifications", FINISH_JOB, action.id, job_id=f"finish-{action.id}-{action.state}")


def retry_later(action: Action, error: str, *, state: ActionState = ActionState.QUEUED) -> str:
    """Back off (exponential, with jitter) or give up as `failed` after the last attempt."""
    if action.attempts >= setting("ACTIONS_MAX_ATTEMPTS"):
        return mark(action, ActionState.FAILED, f"gave up after {action.attempts} attempts: {error}")
    delay = backoff_seconds(action.attempts)
    action.state, action.last_error = state.value, error
    action.updated_at, action.next_attempt_at = utcnow(), utcnow() + timedelta(seconds=delay)
    db.session.commit()
    enqueue_later(action, delay)
    return f"retry:{delay:.0f}s"


def follow_later(action: Action, note: str | None = None) -> str:
    """Poll the provider again after the follow-up interval, unless it has taken too long."""
    if utcnow() - action.created_at > timedelta(hours=setting("ACTIONS_FOLLOW_HOURS")):
        return mark(action, ActionState.NEEDS_REVIEW, "the provider has not finished in time; check by hand")
    delay = float(setting("ACTIONS_FOLLOW_SECONDS"))
    action.last_error = note
    action.updated_at, action.next_attempt_at = utcnow(), utcnow() + timedelta(seconds=delay)
    db.session.commit()
    enqueue_later(action, delay)
    return "following"


def backoff_seconds(attempts: int) -> float:
    """base·2^(n−1), capped, with "equal jitter" so retries of many actions do not stampede."""
    base, cap = float(setting("ACTIONS_RETRY_BASE_SECONDS")), float(setting("ACTIONS_RETRY_MAX_SECONDS"))
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return delay / 2 + random.uniform(0, delay / 2)


def enqueue_later(action: Action, delay: float) -> bool:
    """Queue the next step (now or in `delay` s, via the worker's scheduler); the sweeper covers failures."""
    from redis.exceptions import RedisError
    from rq import Queue

    from app.redis_conn import get_redis

    queue = Queue(ACTIONS_QUEUE.get(action.kind, DEFAULT_QUEUE), connection=get_redis())
    options = dict(job_id=f"action-{action.id}-{uuid.uuid4().hex[:12]}", job_timeout=120, result_ttl=3600,
                   failure_ttl=7 * 86400)
    try:
        if delay > 0:
            queue.enqueue_in(timedelta(seconds=delay), JOB_PATH, action.id, **options)
        else:
            queue.enqueue(JOB_PATH, action.id, **options)
        return True
    except (RedisError, OSError) as error:
        log.warning("could not enqueue action %s (%s); the sweeper will", action.id, error)
        return False


def record_crash(action_id: int, error: Exception) -> None:
    """An unexpected error: count it and back off, so a poison action ends `failed`, not looping."""
    action = db.session.get(Action, action_id, populate_existing=True)
    if action is None or action.state not in ACTIVE_STATES:
        return
    text = f"{type(error).__name__}: {error}"[:500]
    if action.kind == ActionKind.CREDIT.value:  # its transaction rolled back, attempts with it
        action.attempts += 1
    # a provider action keeps its state: "running" without a provider_ref is reconciled next time
    retry_later(action, text, state=ActionState(action.state))


def retry(action: Action, actor) -> Action:
    """An agent's Retry on a failed or needs-review action: back in the queue with fresh attempts.

    A refill or cancel whose send may have reached the provider stays "running" without a
    provider_ref only if the agent did not look; Retry means "I checked, send again", so it
    goes back to queued. One that has a provider_ref resumes following up.
    """
    from app.errors import Conflict

    if action.state not in (ActionState.FAILED.value, ActionState.NEEDS_REVIEW.value):
        raise Conflict("Only failed or needs-review actions can be retried.")
    action.state = ActionState.RUNNING.value if action.provider_ref else ActionState.QUEUED.value
    action.attempts, action.next_attempt_at, action.finished_at = 0, None, None
    action.updated_at = utcnow()
    if action.ticket_id:
        from app.tickets.audit import record
        from app.tickets.models import Ticket

        record(db.session.get(Ticket, action.ticket_id), actor, "action_retried",
               after={"action_id": action.id, "kind": action.kind})
    enqueue_after_commit(ACTIONS_QUEUE.get(action.kind, DEFAULT_QUEUE), JOB_PATH, action.id,
                         job_id=f"action-{action.id}-retry-{uuid.uuid4().hex[:8]}")
    return action


def checkpoint(name: str) -> None:
    """Fault-injection point for crash tests (`ACTIONS_PAUSE_AT=name`): announce our pid in Redis, then stall.

    A test waits for the key and kill -9s this process at exactly this point. Off unless configured.
    """
    if current_app.config.get("ACTIONS_PAUSE_AT") != name:
        return
    from app.redis_conn import get_redis

    get_redis().set(f"desk:checkpoint:{name}", os.getpid(), ex=600)
    time.sleep(float(current_app.config.get("ACTIONS_PAUSE_SECONDS", 30)))


def capped(amount: Decimal, *limits: Decimal | None) -> Decimal:
    return min([amount, *[limit for limit in limits if limit is not None]])
