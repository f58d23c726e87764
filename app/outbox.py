"""Enqueue RQ jobs only after the database transaction that created their work commits.

Jobs are queued by dotted path, so `app` never imports `workers`. If Redis is down at
commit time the rows are still there; the actions sweeper enqueues them later.
"""
from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

log = logging.getLogger(__name__)
_KEY = "desk_after_commit"


def enqueue_after_commit(queue_name: str, job_path: str, *args, job_id: str | None = None) -> None:
    """Queue `job_path(*args)` on `queue_name` once the current transaction commits."""
    pending = db.session.info.setdefault(_KEY, [])
    pending.append((queue_name, job_path, args, job_id))


def enqueue_now(queue_name: str, job_path: str, *args, job_id: str | None = None, app=None) -> bool:
    """Queue a job right away; False (logged) when Redis cannot be reached."""
    from redis.exceptions import RedisError
    from rq import Queue

    from app.redis_conn import get_redis

    try:
        queue = Queue(queue_name, connection=get_redis(app))
        queue.enqueue(job_path, *args, job_id=job_id, job_timeout=120, result_ttl=3600, failure_ttl=7 * 86400)
        return True
    except (RedisError, OSError) as error:
        log.warning("could not enqueue %s%s on %s: %s (the sweeper will retry)", job_path, args, queue_name, error)
        return False


@event.listens_for(Session, "after_commit")
def _flush_after_commit(session: Session) -> None:
    pending = session.info.pop(_KEY, None)
    if not pending:
        return
    app = current_app._get_current_object()
    for queue_name, job_path, args, job_id in pending:
        enqueue_now(queue_name, job_path, *args, job_id=job_id, app=app)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction) -> None:
    """Only a rollback of the whole transaction drops its jobs; a savepoint's rollback does not."""
    if previous_transaction.parent is None:
        session.info.pop(_KEY, None)
