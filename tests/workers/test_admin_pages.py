"""Admins see queue depth, failed jobs and failed actions; agents do not see the queues page."""
from __future__ import annotations

from rq import Queue

from app.redis_conn import get_redis


def _boom():
    raise RuntimeError("boom")


def test_queues_page(app, make_user, login, client, ctx):
    queue = Queue("credits", connection=get_redis())
    queue.enqueue("workers.actions.run_action", 999)
    failing = Queue("polling", connection=get_redis())
    failing.enqueue("tests.workers.test_admin_pages._boom")
    from rq import SimpleWorker

    SimpleWorker([failing], connection=get_redis()).work(burst=True)
    login(make_user("admin"))
    page = client.get("/admin/queues").get_data(as_text=True)
    assert "credits" in page and "polling" in page and "RuntimeError: boom" in page
    other = app.test_client()
    login(make_user("agent"), other)
    assert other.get("/admin/queues").status_code == 404
    assert other.get("/desk/actions/failed").status_code == 200
