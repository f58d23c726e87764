"""How fast is the agents' queue with a million tickets? Prints figures; asserts nothing.

    python -m bench.queue                      # SQLite in a temporary file
    createdb desk_bench && BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/desk_bench python -m bench.queue

The scratch database is emptied first: never point it at a database you keep.

Builds the schema with the migrations in a scratch database, bulk-inserts N tickets
(BENCH_TICKETS, default 1,000,000) spread over statuses, kinds, agents and SLA due times,
then times the first page and a deep keyset page for each filter, and shows the plan.
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import timedelta

from sqlalchemy import text

from app.auth.models import User
from app.db import utcnow
from app.extensions import db
from bench.scratch import scratch_app
from app.tickets.queries import QueueFilter, queue_page

N = int(os.environ.get("BENCH_TICKETS", "1000000"))
FILTERS = {
    "active (default)": {},
    "status=open": {"status": "open"},
    "kind=refill": {"kind": "refill"},
    "assignee=me": {"assignee": "me"},
    "unassigned": {"assignee": "unassigned"},
    "SLA breached": {"breached": "1"},
    "customer email": {"customer": "customer7@bench.test"},
}


def seed(n: int) -> None:
    """Users and tickets in bulk with set-based SQL: a million rows in seconds, not minutes."""
    now = utcnow().replace(tzinfo=None)
    with db.engine.begin() as conn:
        for i in range(1, 21):
            role = "agent" if i <= 5 else "customer"
            conn.execute(text(
                "INSERT INTO users (id, email, name, role, is_active_account, is_suspended, has_chargeback, created_at)"
                " VALUES (:id, :email, :name, :role, true, false, false, :now)"),
                {"id": i, "email": f"{role}{i}@bench.test", "name": f"{role} {i}", "role": role, "now": now})
        series = ("SELECT generate_series(1, :n) AS i" if db.engine.dialect.name == "postgresql" else
                  "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n) SELECT i FROM s")
        conn.execute(text(f"""
            INSERT INTO tickets (id, customer_id, kind, reason, subject, status, priority, source, assignee_id,
                                 created_at, updated_at, first_response_due_at, resolution_due_at)
            SELECT i, 6 + (i % 15),
                   CASE i % 5 WHEN 0 THEN 'refund' WHEN 1 THEN 'refill' WHEN 2 THEN 'cancel'
                              WHEN 3 THEN 'payment' ELSE 'other' END,
                   'other', 'Ticket ' || i,
                   CASE i % 10 WHEN 0 THEN 'new' WHEN 1 THEN 'open' WHEN 2 THEN 'waiting'
                               ELSE CASE i % 2 WHEN 0 THEN 'resolved' ELSE 'closed' END END,
                   'normal', 'web', CASE WHEN i % 3 = 0 THEN NULL ELSE 1 + (i % 5) END,
                   :now, :now, :now, :base
            FROM ({series}) AS s"""), {"n": n, "now": now, "base": now - timedelta(days=30)})
        # spread the due times: one second apart
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("UPDATE tickets SET resolution_due_at = resolution_due_at + id * interval '1 second'"))
            conn.execute(text("ANALYZE"))
        else:
            conn.execute(text("UPDATE tickets SET resolution_due_at = datetime(resolution_due_at, '+' || id || ' seconds')"))
            conn.execute(text("ANALYZE"))


def timed(fn, repeat=5) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.db")
    app = scratch_app(url)
    with app.app_context():
        started = time.perf_counter()
        seed(N)
        print(f"{db.engine.dialect.name}: seeded {N:,} tickets in {time.perf_counter() - started:.1f} s")
        agent = db.session.get(User, 1)
        now = utcnow()
        print(f"{'filter':<20} {'first page ms':>14} {'page 200 ms':>12}")
        for name, args in FILTERS.items():
            flt = QueueFilter.from_args(args)
            first = timed(lambda f=flt: queue_page(f, agent, now, 50))
            cursor = None
            for _ in range(200):  # walk 200 pages deep by cursor, then time the next page
                _, cursor = queue_page(QueueFilter.from_args({**args, "cursor": cursor} if cursor else args), agent, now, 50)
                if not cursor:
                    break
            deep_args = {**args, "cursor": cursor} if cursor else args
            deep = timed(lambda a=deep_args: queue_page(QueueFilter.from_args(a), agent, now, 50))
            print(f"{name:<20} {first:>14.2f} {deep:>12.2f}")
        db.session.remove()


if __name__ == "__main__":
    main()
