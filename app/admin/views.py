"""`/admin/queues`: queue depth, failed jobs and failed outbox actions, for admins."""
from __future__ import annotations

from flask import Blueprint, render_template
from redis.exceptions import RedisError

from app.actions import queries as actions
from app.admin import services
from app.scheduling import last_heartbeat, periodic_jobs
from app.security import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/queues")
@admin_required
def queues():
    stats, workers, redis_error = services.queue_stats()
    failed = {}
    if not redis_error:
        try:
            failed = {s.name: services.failed_jobs(s.name) for s in stats if s.failed}
        except (RedisError, OSError):
            failed = {}
    return render_template(
        "admin/queues.html", stats=stats, workers=workers, redis_error=redis_error, failed_jobs=failed,
        action_counts=actions.count_by_state(), problem_actions=actions.problem_actions(limit=50),
        heartbeat=None if redis_error else last_heartbeat(), periodic=periodic_jobs(),
    )
