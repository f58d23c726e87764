"""Credits: one ledger entry per order and cause, whatever runs twice; the ticket resolves after."""
from __future__ import annotations

import threading
from decimal import Decimal

import pytest
import redis
from sqlalchemy import select

from app.actions import execution, finishing
from app.actions.models import Action
from app.actions.sweeper import sweep
from app.extensions import db
from app.tickets.models import Ticket
from app.triage import services as triage
from tests.actions.support import assert_ledger_invariant, file_ticket, no_auto_approval, refund_credits


@pytest.fixture
def customer(make_user):
    return make_user("customer")


def test_auto_approved_credit_lands_once_and_resolves_the_ticket(customer, make_order, ctx):
    order = make_order(customer, status="Canceled", charge=Decimal("2.50"), remains=1000)
    ticket = file_ticket(customer, order)
    [action] = db.session.scalars(select(Action)).all()
    assert (action.kind, action.state, action.cause, action.amount) == ("credit", "queued", "status:canceled",
                                                                         Decimal("2.50000"))
    assert execution.run(action.id) == "done"
    assert execution.run(action.id) == "skipped:done"  # a duplicate job does nothing
    [entry] = refund_credits(order.id)
    assert entry.amount == Decimal("2.50000") and entry.action_id == action.id and entry.ticket_id == ticket.id
    assert db.session.get(type(order), order.id).refunded == Decimal("2.50000")

    assert finishing.finish_action(action.id) == "resolved"
    assert finishing.finish_action(action.id) == "already told"
    ticket = db.session.get(Ticket, ticket.id, populate_existing=True)
    assert ticket.status == "resolved"
    desk_notes = [m.body for m in ticket.messages if m.author_id is None]
    assert desk_notes == [f"We credited 2.50 USD to your wallet for order {order.panel_id}."]
    assert_ledger_invariant()


def test_second_cause_is_capped_at_what_is_left(customer, make_order, ctx):
    from app.wallet import services as wallet

    order = make_order(customer, status="Partial", charge=Decimal("10.00"), remains=400)
    first = wallet.credit_refund(order, Decimal("4.00"), "status:partial")
    again = wallet.credit_refund(order, Decimal("4.00"), "status:partial")
    other = wallet.credit_refund(order, Decimal("9.00"), "override:1")
    db.session.commit()
    assert (first.amount, again.already, again.amount) == (Decimal("4.00000"), True, 0)
    assert other.amount == Decimal("6.00000")  # charge 10 − refunded 4
    assert wallet.credit_refund(order, Decimal("1"), "override:2").entry is None
    db.session.commit()
    assert_ledger_invariant()


def test_two_agents_approve_at_the_same_moment_and_one_credit_lands(app, customer, make_order, make_user, ctx):
    no_auto_approval()
    agents = [make_user("agent"), make_user("agent")]
    order = make_order(customer, status="Canceled", charge=Decimal("30.00"), remains=1000)
    ticket_id = file_ticket(customer, order).id
    barrier, results, errors = threading.Barrier(2), [], []

    def approve(agent_id):
        with app.app_context():
            try:
                ticket = db.session.get(Ticket, ticket_id)
                agent = db.session.get(type(agents[0]), agent_id)
                barrier.wait()
                results.append([a.id for a in triage.approve(ticket, agent)])
                db.session.commit()
            except Exception as error:  # noqa: BLE001 (reported below)
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(agent.id,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    actions = db.session.scalars(select(Action)).all()
    assert len(actions) == 1
    for action_id in {a.id for a in actions}:
        execution.run(action_id)
        execution.run(action_id)
    assert [e.amount for e in refund_credits(order.id)] == [Decimal("30.00000")]
    assert_ledger_invariant()


def test_redis_down_at_approval_keeps_the_approval_and_the_sweeper_queues_it(app, customer, make_order,
                                                                            make_user, api, ctx):
    from rq import Queue, SimpleWorker


    no_auto_approval()
    agent = make_user("agent")
    order = make_order(customer, status="Canceled", charge=Decimal("12.00"), remains=1000)
    ticket = file_ticket(customer, order)
    caller = api(agent)
    real = app.extensions["desk_redis"]
    app.extensions["desk_redis"] = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    try:
        response = caller.post(f"/api/v1/tickets/{ticket.id}/approve", json={})
    finally:
        app.extensions["desk_redis"] = real
    assert response.status_code == 202
    [action] = db.session.scalars(select(Action)).all()
    assert action.state == "queued" and Queue("credits", connection=real).count == 0

    assert sweep(stale_seconds=3600) == []  # not stale yet: nothing to do
    assert sweep(stale_seconds=0) == [action.id]
    queue = Queue("credits", connection=real)
    assert queue.count == 1
    SimpleWorker([queue], connection=real).work(burst=True)
    db.session.expire_all()
    assert db.session.get(Action, action.id).state == "done"
    assert [e.amount for e in refund_credits(order.id)] == [Decimal("12.00000")]
    assert sweep(stale_seconds=0) == []  # done actions are never swept again
    assert_ledger_invariant()


def test_rolled_back_approval_leaves_no_job(app, customer, make_order, make_user, ctx):
    from rq import Queue

    from app.redis_conn import get_redis

    no_auto_approval()
    order = make_order(customer, status="Canceled", charge=Decimal("3.00"), remains=1000)
    ticket = file_ticket(customer, order)
    triage.approve(ticket, make_user("agent"))
    db.session.rollback()
    assert Queue("credits", connection=get_redis()).count == 0
    assert db.session.scalars(select(Action)).all() == []


def test_sweeper_requeues_a_lost_finish_job(app, customer, make_order, ctx):
    """The credit landed but its finish job vanished with Redis: the sweeper queues it again."""
    from datetime import timedelta

    from rq import Queue

    from app.db import utcnow
    from app.redis_conn import get_redis

    order = make_order(customer, status="Canceled", charge=Decimal("2.50"), remains=1000)
    ticket = file_ticket(customer, order)
    [action] = db.session.scalars(select(Action)).all()
    assert execution.run(action.id) == "done"
    get_redis(app).flushdb()  # the finish job is gone
    sweep(now=utcnow() + timedelta(minutes=5), stale_seconds=120)
    notifications = Queue("notifications", connection=get_redis(app))
    [job] = [j for j in notifications.get_jobs() if j.func_name == "workers.actions.finish_action"]
    assert job.args == (action.id,)
    assert finishing.finish_action(action.id) == "resolved"
    assert db.session.get(Ticket, ticket.id, populate_existing=True).status == "resolved"
    get_redis(app).flushdb()
    sweep(now=utcnow() + timedelta(minutes=5), stale_seconds=120)  # resolved now: nothing more to do
    assert not [j for j in notifications.get_jobs() if j.func_name == "workers.actions.finish_action"]
