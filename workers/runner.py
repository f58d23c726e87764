"""Starting a worker inside the Flask app so jobs can use the database and config."""
from __future__ import annotations

from rq import Worker

from app.extensions import db
from app.redis_conn import get_redis
from workers.queues import QUEUE_NAMES


def run_worker(app, queue_names: list[str] | None = None, burst: bool = False) -> bool:
    """Run an RQ worker in `app`'s context. Pooled DB connections are dropped first: none may cross the fork."""
    names = queue_names or list(QUEUE_NAMES)
    with app.app_context():
        db.engine.dispose()
        worker = Worker(names, connection=get_redis(app))
        return worker.work(burst=burst, with_scheduler=True)
