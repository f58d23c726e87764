"""Scheduled IMAP polling, as a self-rescheduling RQ job.

rq-scheduler is not installed; RQ >= 2 has `Queue.enqueue_in` and our workers run
`with_scheduler=True`, so each pass schedules the next one IMAP_POLL_SECONDS later under
one of two fixed job ids (alternating, because a running job must not overwrite its own
hash). Only one chain can exist: the ids are fixed, and a Redis lock (NX with
a TTL) stops two passes overlapping if a chain was started twice. If Redis loses the
chain, `ensure_polling()` (called by `flask mail poll --schedule`, and safe to call
from worker start-up) starts it again; a lost pass loses no mail, because unflagged
messages simply wait for the next one.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from rq.exceptions import NoSuchJobError
from rq import get_current_job
from rq.job import Job

from app.redis_conn import get_redis
from workers.queues import queue

JOB_IDS = ("intake-imap-poll-a", "intake-imap-poll-b")
LOCK = "desk:intake:poll-lock"


def poll_mailboxes(reschedule: bool = True) -> dict:
    """One pass over every configured mailbox, then (by default) schedule the next one."""
    from app.intake.mailbox import poll_all

    config = current_app.config
    redis = get_redis()
    summary: dict = {}
    if redis.set(LOCK, "1", nx=True, ex=max(60, int(config["IMAP_POLL_SECONDS"]) * 5)):
        try:
            report = poll_all()
            summary = {name: (r if isinstance(r, str) else [x.outcome for x in r]) for name, r in report.items()}
        finally:
            redis.delete(LOCK)
    if reschedule and config["IMAP_MAILBOXES"]:
        current = get_current_job()
        next_id = JOB_IDS[1] if current is not None and current.id == JOB_IDS[0] else JOB_IDS[0]
        queue("intake").enqueue_in(timedelta(seconds=config["IMAP_POLL_SECONDS"]), poll_mailboxes,
                                   job_id=next_id, job_timeout=600)
    return summary


def ensure_polling(app=None) -> bool:
    """Start the polling chain unless a pass is queued, scheduled or running; True if started."""
    app = app or current_app
    if not app.config["IMAP_MAILBOXES"]:
        return False
    for job_id in JOB_IDS:
        try:
            job = Job.fetch(job_id, connection=get_redis(app))
        except NoSuchJobError:
            continue
        if job.get_status(refresh=True) in ("queued", "scheduled", "started", "deferred"):
            return False
    queue("intake", app).enqueue(poll_mailboxes, job_id=JOB_IDS[0], job_timeout=600)
    return True
