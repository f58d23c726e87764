"""Periodic jobs: a small registry, a tick that fires each job once per interval, and Redis locks.

How it works
------------
`PERIODIC_JOBS` lists (name, job path, queue, interval in seconds). `flask scheduler`
calls `tick()` every second; for each job whose interval slot (`now // interval`) has
not fired yet it does `SET desk:schedule:<name>:<slot> NX EX …` in Redis and enqueues
the job only if that SET won. So any number of schedulers may run, on any number of
machines (run two for availability): each slot fires exactly one job, and a scheduler
that was down simply fires the current slot when it is back (missed slots are not
replayed: these jobs are "catch up on everything" sweeps, not per-slot work).

Jobs are queued by dotted path on an RQ queue and run by ordinary workers
(`flask --app wsgi worker` or `rq worker`). A job that must never overlap itself (the
order poll, which may outlive its interval) also takes `redis_lock(name)`.

Why not rq's CronScheduler: it keeps no cross-process lock, so two instances would both
enqueue every tick; and rq-scheduler is not a dependency. Workers run with
`with_scheduler=True` only for delayed retries (`Queue.enqueue_in`).

Adding a job: append a line to `PERIODIC_JOBS` (the mail feature adds its IMAP poll
there). An interval can be changed or a job switched off (0) per deployment with
`DESK_SCHEDULE_INTERVALS='{"order-poll": 600}'`.
"""
from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app
from redis.exceptions import RedisError
from rq import Queue

from app.redis_conn import get_redis

log = logging.getLogger(__name__)
HEARTBEAT_KEY = "desk:scheduler:heartbeat"


@dataclass(frozen=True)
class Periodic:
    name: str
    job_path: str
    queue: str
    every: int  # seconds
    timeout: int = 600  # RQ job timeout; the poll may take minutes on a big panel


PERIODIC_JOBS = (
    Periodic("actions-sweep", "workers.sweeper.sweep_actions", "providers", 60),
    Periodic("order-poll", "workers.polling.poll_orders", "polling", 300),
    Periodic("imap-poll", "workers.intake.poll_mailboxes", "intake", 60),
    Periodic("mail-resend", "workers.mail.resend_stale", "notifications", 300),
)


def periodic_jobs(app=None) -> list[Periodic]:
    """The registry with this deployment's interval overrides applied; interval 0 switches a job off."""
    overrides = (app or current_app).config.get("SCHEDULE_INTERVALS") or {}
    jobs = [Periodic(j.name, j.job_path, j.queue, int(overrides.get(j.name, j.every)), j.timeout)
            for j in PERIODIC_JOBS]
    return [job for job in jobs if job.every > 0]


def tick(app=None, now: float | None = None) -> list[str]:
    """Fire every job whose current slot has not fired on any scheduler; returns the names fired."""
    app = app or current_app._get_current_object()
    now = time.time() if now is None else now
    redis = get_redis(app)
    fired = []
    try:
        redis.set(HEARTBEAT_KEY, f"{socket.gethostname()}:{os.getpid()}:{int(now)}", ex=120)
        for job in periodic_jobs(app):
            slot = int(now // job.every)
            if redis.set(f"desk:schedule:{job.name}:{slot}", "1", nx=True, ex=job.every * 2 + 60):
                Queue(job.queue, connection=redis).enqueue(
                    job.job_path, job_id=f"sched-{job.name}-{slot}", job_timeout=job.timeout,
                    result_ttl=3600, failure_ttl=7 * 86400)
                fired.append(job.name)
    except (RedisError, OSError) as error:
        log.warning("scheduler tick skipped: %s", error)
    return fired


def run_scheduler(app, interval: float = 1.0, stop=None) -> None:
    """Tick until `stop()` is true (or forever); survives Redis outages."""
    log.info("scheduler started: %s", ", ".join(f"{j.name}/{j.every}s" for j in periodic_jobs(app)))
    while not (stop and stop()):
        with app.app_context():
            for name in tick(app):
                log.info("scheduled %s", name)
        time.sleep(interval)


def last_heartbeat(app=None) -> str | None:
    try:
        value = get_redis(app).get(HEARTBEAT_KEY)
    except RedisError:
        return None
    return value.decode() if value else None


@contextmanager
def redis_lock(name: str, ttl: int = 900, app=None) -> Iterator[bool]:
    """Yield True if we hold `desk:lock:<name>` (else False: someone else runs it); released on exit.

    The TTL bounds a lock left by a killed process; release only deletes our own token.
    """
    redis = get_redis(app)
    key, token = f"desk:lock:{name}", uuid.uuid4().hex
    held = bool(redis.set(key, token, nx=True, ex=ttl))
    try:
        yield held
    finally:
        if held:
            redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end "
                       "return 0", 1, key, token)
