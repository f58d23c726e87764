"""Queue depth and failed jobs from RQ, failed outbox actions from the database.

Reading Redis may fail (it is down, which is exactly when an admin looks), so the page
shows "unavailable" instead of an error: the database side still answers.
"""
from __future__ import annotations

from dataclasses import dataclass

from redis.exceptions import RedisError
from rq import Queue, Worker

from app.redis_conn import get_redis

# The same names as workers.queues.QUEUE_NAMES (app never imports workers; a test checks they agree).
QUEUE_NAMES = ("credits", "providers", "notifications", "intake", "polling")


@dataclass(frozen=True)
class QueueStats:
    name: str
    queued: int
    started: int
    scheduled: int
    deferred: int
    failed: int


def queue_stats() -> tuple[list[QueueStats], int | None, str | None]:
    """Per queue, most urgent first; the number of live workers; or an error text if Redis is unreachable."""
    try:
        redis = get_redis()
        stats = []
        for name in QUEUE_NAMES:
            queue = Queue(name, connection=redis)
            stats.append(QueueStats(name, queue.count, queue.started_job_registry.count,
                                    queue.scheduled_job_registry.count, queue.deferred_job_registry.count,
                                    queue.failed_job_registry.count))
        return stats, Worker.count(connection=redis), None
    except (RedisError, OSError) as error:
        return [], None, f"Redis is unreachable: {type(error).__name__}"


def failed_jobs(name: str, limit: int = 20) -> list[dict]:
    """The newest failed jobs of one queue with the last line of their error."""
    queue = Queue(name, connection=get_redis())
    registry = queue.failed_job_registry
    jobs = []
    for job_id in registry.get_job_ids(0, limit - 1):
        job = queue.fetch_job(job_id)
        if job is None:
            continue
        result = job.latest_result()
        text = ((result.exc_string if result else "") or "").strip().splitlines()
        jobs.append({"id": job_id, "func": job.func_name, "args": job.args, "ended_at": job.ended_at,
                     "error": text[-1] if text else ""})
    return jobs
