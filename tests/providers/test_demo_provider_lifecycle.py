"""Orders, refills and cancels move over (virtual) time, seen through the client over HTTP."""
from __future__ import annotations

from decimal import Decimal

import requests

from app.providers.client import SmmV2Client
from app.providers.results import ItemError, RefillResult, RefillStatus


def test_a_new_order_moves_pending_in_progress_final(client, demo_server):
    order = client.add(101, "https://www.instagram.com/new.shop/", 1000)
    assert client.status(order).status == "Pending"
    demo_server.advance(901)  # every order starts within 15 virtual minutes
    running = client.status(order)
    assert running.status == "In progress" and running.start_count > 0
    demo_server.advance(4000)  # and runs for at most an hour
    final = client.status(order)
    assert final.status in {"Completed", "Partial", "Canceled"} and final.is_final


def test_remains_fall_while_an_order_runs(client, demo_server, find_order):
    rec = find_order(lambda r, s: r["status"] == "In progress" and r["outcome"] == "Completed"
                     and r["remains"] > 10)
    before = client.status(rec["order"]).remains
    demo_server.advance(rec["run_secs"] / 2)
    during = client.status(rec["order"]).remains
    demo_server.advance(rec["run_secs"])
    after = client.status(rec["order"])
    assert before > during > 0 and after.remains == 0 and after.status == "Completed"


def test_world_statuses_progress_and_some_end_partial_or_canceled(client, demo_server):
    active = [o for o, r in demo_server.state.orders.items() if r["status"] in ("Pending", "In progress")]
    demo_server.advance(6 * 3600)
    finals = {}
    for chunk_start in range(0, len(active), 100):
        finals.update(client.status_batch(active[chunk_start:chunk_start + 100]))
    statuses = {s.status for s in finals.values()}
    assert all(s.is_final for s in finals.values())
    assert "Completed" in statuses and statuses & {"Partial", "Canceled"}


def test_refill_lifecycle_restores_the_count(client, demo_server, refillable_order):
    order = refillable_order["order"]
    result = client.refill_batch([order, 1])
    refill = result[order]
    assert isinstance(refill, RefillResult) and isinstance(result[1], ItemError)
    assert client.refill_status_batch([refill.refill, 99])[refill.refill].status == "Pending"
    demo_server.advance(301)
    assert client.refill_status(refill.refill).status == "In progress"
    demo_server.advance(1801)
    done = client.refill_status_batch([refill.refill, 99])
    assert done["99"] == ItemError("99", "Refill not found")
    assert done[refill.refill] in (RefillStatus(refill.refill, "Completed", "Completed"),
                                   RefillStatus(refill.refill, "Rejected", "Rejected"))
    rec = demo_server.state.orders[order]
    if done[refill.refill].status == "Completed":
        assert rec["current_count"] == rec["start_count"] + rec["quantity"] - max(rec["remains"], 0)
    assert isinstance(client.refill(order), RefillResult)  # the next refill is allowed again


def test_refill_without_a_drop_is_rejected(client, demo_server, find_order, is_refillable):
    rec = find_order(lambda r, s: s["refill"] and r["status"] == "Completed" and r["remains"] == 0
                     and not is_refillable(r, s) and r["current_count"] == r["start_count"] + r["quantity"]
                     and s["refill_days"] >= 365)
    refill = client.refill(rec["order"])
    demo_server.advance(3 * 3600)
    assert client.refill_status(refill.refill).status == "Rejected"


def test_cancel_pending_becomes_canceled_and_refunds_the_provider_balance(client, demo_server):
    order = client.add(205, "https://x.com/a/status/1", 100)  # 0.45
    balance = client.balance().balance
    assert client.cancel([order])[order].accepted
    assert client.status(order).status == "Pending"  # accepted is only a request
    demo_server.advance(121)
    assert client.status(order).status == "Canceled"
    assert client.balance().balance == balance + Decimal("0.45000")
    assert isinstance(client.cancel([order])[order], ItemError)


def test_cancel_while_running_ends_partial(client, demo_server, find_order):
    rec = find_order(lambda r, s: s["cancel"] and r["status"] == "In progress" and r["outcome"] != "Canceled"
                     and r["remains"] > 10)
    order, before = rec["order"], rec["remains"]
    demo_server.advance(rec["run_secs"] / 3)
    assert client.cancel([order])[order].accepted
    demo_server.advance(121)
    status = client.status(order)
    assert status.status == "Partial" and 0 < status.remains < before


def test_speed_compresses_time(make_server, demo_key):
    server = make_server(speed=60)
    with SmmV2Client(server.url, demo_key) as c:
        order = c.add(201, "https://www.tiktok.com/@a/video/1", 1000)
        server.state.clock.now += 16  # 16 real seconds = 16 virtual minutes
        assert c.status(order).status == "In progress"


def test_state_file_survives_a_restart(make_server, demo_key, tmp_path):
    path = str(tmp_path / "provider.json")
    first = make_server(state_path=path)
    with SmmV2Client(first.url, demo_key) as c:
        order = c.add(101, "https://www.instagram.com/keep.me/", 500)
        balance = c.balance()
    first.shutdown()
    with SmmV2Client(make_server(state_path=path).url, demo_key) as c:
        assert c.status(order).remains == 500 and c.balance() == balance


def test_same_seed_same_story(make_server, demo_key):
    def story() -> list:
        server = make_server(count=60)
        server.advance(5 * 3600)
        ids = ",".join(map(str, sorted(server.state.orders)))
        data = {"key": demo_key, "action": "status", "orders": ids}
        return requests.post(server.url, data=data, timeout=5).json()

    assert story() == story()
