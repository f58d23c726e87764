"""kill -9 a real `flask worker` in the middle of a credit: the credit still lands exactly once."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from rq import Queue
from sqlalchemy import select

from app.actions.models import Action
from app.actions.sweeper import sweep
from app.extensions import db
from app.redis_conn import get_redis
from tests.actions.support import assert_ledger_invariant, file_ticket, refund_credits

ROOT = Path(__file__).resolve().parents[2]


def start_worker(app, pause_at: str | None = None) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=app.config["REDIS_URL"],
               SECRET_KEY="worker-test-secret")
    env.pop("DESK_ACTIONS_PAUSE_AT", None)
    if pause_at:
        env.update(DESK_ACTIONS_PAUSE_AT=pause_at, DESK_ACTIONS_PAUSE_SECONDS="120")
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "credits", "--burst"],
                            cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for_checkpoint(name: str, worker: subprocess.Popen, seconds: float = 60) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pid = get_redis().get(f"desk:checkpoint:{name}")
        if pid:
            return int(pid)
        assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
        time.sleep(0.1)
    raise AssertionError(f"the worker never reached {name}")


@pytest.mark.parametrize("point", ["credit:after_ledger", "credit:after_commit"])
def test_kill_9_mid_credit_and_the_credit_lands_once(point, app, make_user, make_order, ctx):
    customer = make_user("customer")
    order = make_order(customer, status="Canceled", charge=Decimal("2.50"), remains=1000)
    file_ticket(customer, order)  # auto-approved: the credit job is on the "credits" queue
    [action] = db.session.scalars(select(Action)).all()
    assert Queue("credits", connection=get_redis()).count == 1

    worker = start_worker(app, pause_at=point)
    horse = wait_for_checkpoint(point, worker)
    os.kill(horse, signal.SIGKILL)  # the work-horse, mid job...
    os.killpg(worker.pid, signal.SIGKILL)  # ...and its parent: the machine is gone
    worker.wait(10)

    db.session.expire_all()
    landed = refund_credits(order.id)
    if point == "credit:after_ledger":  # killed before commit: nothing happened
        assert landed == [] and db.session.get(Action, action.id).state == "queued"
    else:  # killed after commit, before the job returned
        assert len(landed) == 1 and db.session.get(Action, action.id).state == "done"

    # The sweeper re-enqueues whatever is still pending; the job is also run again, as RQ may.
    sweep(stale_seconds=0)
    Queue("credits", connection=get_redis()).enqueue("workers.actions.run_action", action.id)
    rerun = start_worker(app)
    assert rerun.wait(90) == 0, rerun.stderr.read().decode()[-2000:]

    db.session.expire_all()
    assert db.session.get(Action, action.id).state == "done"
    assert [e.amount for e in refund_credits(order.id)] == [Decimal("2.50000")]
    assert_ledger_invariant()
