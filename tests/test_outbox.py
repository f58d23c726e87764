"""Jobs queued for after commit: kept through a savepoint's rollback, dropped with the transaction."""
from __future__ import annotations

from rq import Queue

from app.extensions import db
from app.outbox import _KEY, enqueue_after_commit
from app.redis_conn import get_redis


def test_savepoint_rollback_keeps_the_transactions_jobs(app, ctx):
    db.session.execute(db.select(1))  # the transaction has begun, as in any service
    enqueue_after_commit("notifications", "workers.mail.resend_stale")
    nested = db.session.begin_nested()
    nested.rollback()
    assert db.session.info[_KEY]
    db.session.commit()
    assert Queue("notifications", connection=get_redis(app)).count == 1


def test_a_rolled_back_transaction_queues_nothing(app, ctx):
    db.session.execute(db.select(1))
    enqueue_after_commit("notifications", "workers.mail.resend_stale")
    db.session.rollback()
    db.session.commit()
    assert Queue("notifications", connection=get_redis(app)).count == 0
