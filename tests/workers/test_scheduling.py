"""Periodic jobs fire once per slot however many schedulers run; queue names agree with the workers."""
from __future__ import annotations

from rq import Queue

from app.admin.services import QUEUE_NAMES as ADMIN_QUEUE_NAMES
from app.redis_conn import get_redis
from app.scheduling import last_heartbeat, periodic_jobs, redis_lock, tick
from workers.queues import QUEUE_NAMES


def test_each_slot_fires_once_across_schedulers(app, ctx):
    now = 1_800_000_000.0
    first = tick(app, now)
    assert sorted(first) == ["actions-sweep", "imap-poll", "mail-resend", "order-poll"]
    assert tick(app, now + 1) == []  # a second scheduler, same slot
    assert tick(app, now + 60) == ["actions-sweep", "imap-poll"]  # next minute; the 5-minute jobs wait
    assert Queue("polling", connection=get_redis()).count == 1
    assert Queue("providers", connection=get_redis()).count == 2
    assert last_heartbeat(app)


def test_intervals_can_be_changed_or_switched_off(app, ctx):
    app.config["SCHEDULE_INTERVALS"] = {"order-poll": 0, "actions-sweep": 30, "imap-poll": 0, "mail-resend": 0}
    try:
        assert [(j.name, j.every) for j in periodic_jobs(app)] == [("actions-sweep", 30)]
    finally:
        app.config.pop("SCHEDULE_INTERVALS")


def test_redis_lock_is_exclusive_and_released(app, ctx):
    with redis_lock("x") as first:
        with redis_lock("x") as second:
            assert first and not second
    with redis_lock("x") as again:
        assert again


def test_admin_page_lists_the_same_queues_as_the_workers():
    assert ADMIN_QUEUE_NAMES == QUEUE_NAMES
