"""How fast are the refund-intelligence dashboards on a large panel? Prints figures; asserts nothing.

    python -m bench.reports                    # SQLite in a temporary file
    createdb desk_bench && BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/desk_bench python -m bench.reports

The scratch database is emptied first: never point it at a database you keep.

Builds the schema with the migrations, bulk-inserts BENCH_ORDERS orders (default 500,000) over
180 days and 40 services, a refund credit for ~15% of them, BENCH_TICKETS tickets (default 100,000)
and an action per refund, then times each dashboard (30 days by day, 180 days by week) and
the abuse signals of one ticket, and prints the query plan of the main refund query.
"""
from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import insert, select, text

from app.actions.models import Action
from app.auth.models import User
from app.db import utcnow
from app.extensions import db
from bench.scratch import scratch_app
from app.orders.models import Order
from app.providers.models import Provider, Service
from app.reports import signals
from app.reports.pages import PAGES
from app.reports.periods import Period
from app.tickets.models import Ticket
from app.wallet.models import LedgerEntry

N_ORDERS = int(os.environ.get("BENCH_ORDERS", "500000"))
N_TICKETS = int(os.environ.get("BENCH_TICKETS", "100000"))
DAYS = 180
CHUNK = 20_000


def _bulk(model, rows):
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start:start + CHUNK])


def load(rng: random.Random) -> None:
    now = utcnow()
    users = [User(email=f"customer{i}@bench.test", name=f"C{i}") for i in range(2000)]
    agents = [User(email=f"agent{i}@bench.test", name=f"Agent {i}", role="agent") for i in range(20)]
    providers = [Provider(name=f"Provider {i}", api_url="http://127.0.0.1:9", api_key="k") for i in range(4)]
    services = [Service(provider=providers[i % 4], provider_service_id=str(i), name=f"Service {i}") for i in range(40)]
    db.session.add_all(users + agents + providers + services)
    db.session.flush()
    orders, credits, actions = [], [], []
    for i in range(N_ORDERS):
        created = now - timedelta(minutes=rng.randint(0, DAYS * 24 * 60))
        orders.append(dict(id=i + 1, panel_id=f"SMM{i + 1}", customer_id=users[i % 2000].id,
                           service_id=services[rng.randrange(40)].id, link=f"https://x.com/{rng.randrange(50_000)}",
                           quantity=1000, charge=Decimal(rng.randint(100, 5000)) / 100, status="Completed",
                           created_at=created, status_changed_at=created))
        if rng.random() < 0.15:
            done = min(created + timedelta(hours=rng.randint(1, 72)), now)
            credits.append(dict(customer_id=orders[-1]["customer_id"], kind="refund_credit", amount=orders[-1]["charge"],
                                order_id=i + 1, cause="status:Canceled", created_at=done))
            actions.append(dict(customer_id=orders[-1]["customer_id"], kind="credit", state="done",
                                amount=orders[-1]["charge"], idempotency_key=f"b{i}", created_at=done,
                                updated_at=done, finished_at=done, order_id=i + 1))
    _bulk(Order, orders)
    _bulk(LedgerEntry, credits)
    _bulk(Action, actions)
    tickets = []
    for i in range(N_TICKETS):
        created = now - timedelta(minutes=rng.randint(0, DAYS * 24 * 60))
        resolved = created + timedelta(hours=rng.randint(1, 96)) if rng.random() < 0.8 else None
        tickets.append(dict(customer_id=users[i % 2000].id, kind=rng.choice(("refund", "refill", "cancel")),
                            reason="other", subject="s", status="resolved" if resolved else rng.choice(("new", "open")),
                            assignee_id=agents[i % 20].id, created_at=created, updated_at=created,
                            first_response_due_at=created + timedelta(hours=4),
                            first_responded_at=created + timedelta(hours=rng.randint(0, 8)),
                            resolution_due_at=created + timedelta(hours=48), resolved_at=resolved))
    _bulk(Ticket, tickets)
    db.session.commit()


def timed(fn, repeat=3) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
        db.session.rollback()
    return statistics.median(runs) * 1000


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.db")
    app = scratch_app(url)
    with app.app_context():
        start = time.perf_counter()
        load(random.Random(6))
        print(f"{db.engine.dialect.name}: {N_ORDERS:,} orders, {N_TICKETS:,} tickets loaded in {time.perf_counter() - start:.0f} s")
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        today = utcnow().date()
        periods = {"30 days by day": Period(today - timedelta(days=29), today),
                   "180 days by week": Period(today - timedelta(days=179), today, "week")}
        for label, period in periods.items():
            for slug, build_page in PAGES.items():
                page = build_page(period, utcnow())
                rows = sum(len(t.rows) for t in page.tables)
                print(f"  {slug:8} {label:17} {timed(lambda b=build_page, p=period: b(p, utcnow())):8.1f} ms  ({rows} table rows)")
        ticket = db.session.scalar(select(Ticket).order_by(Ticket.id.desc()).limit(1))
        print(f"  signals  one ticket        {timed(lambda: signals.ticket_signals(db.session.get(Ticket, ticket.id), utcnow())):8.1f} ms")
        for name in signals.SIGNALS:
            query = select(Ticket.id).where(Ticket.id.in_(signals.signal_ticket_ids(name, utcnow()))).limit(50)
            print(f"  queue ?signal={name:18} {timed(lambda q=query: db.session.execute(q).all()):8.1f} ms")
        show_plan(periods["30 days by day"])


def show_plan(period: Period) -> None:
    from app.reports.refunds import _refunds

    explain = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    query = select(LedgerEntry.id).where(LedgerEntry.kind == "refund_credit", LedgerEntry.created_at >= period.start)
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    print("plan of the refund range scan:")
    for row in db.session.execute(text(explain + str(compiled))):
        print("   ", row[-1])
    assert _refunds  # the dashboard query this scan belongs to


if __name__ == "__main__":
    main()
