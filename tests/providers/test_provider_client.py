"""SmmV2Client against the demo provider over real HTTP: every action and its parsing."""
from __future__ import annotations

from decimal import Decimal

import pytest

from app.providers.client import SmmV2Client, chunked
from app.providers.errors import OrderNotFound, ProviderAuthError, ProviderRejected, TooManyIds
from app.providers.results import (
    Balance, CancelResult, ItemError, OrderStatus, RefillResult, RefillStatus, Service,
)


def test_services_are_typed(client):
    services = client.services()
    assert len(services) == 10
    first = services[0]
    assert isinstance(first, Service)
    assert first.service == 101 and first.rate == Decimal("0.9000")
    assert (first.min, first.max, first.refill, first.cancel) == (50, 10_000, True, True)


def test_balance_is_decimal(client):
    assert client.balance() == Balance(balance=Decimal("734.51862"), currency="USD")


def test_add_returns_the_order_id_and_charges(client, demo_server):
    order = client.add(101, "https://www.instagram.com/someone/", 1000)
    assert isinstance(order, int) and order in demo_server.state.orders
    status = client.status(order)
    assert status.status == "Pending" and status.remains == 1000
    assert status.charge == Decimal("0.90000")
    assert client.balance().balance == Decimal("734.51862") - Decimal("0.9")


def test_add_errors_are_rejections(client):
    with pytest.raises(ProviderRejected, match="Incorrect service ID"):
        client.add(999, "https://x.com/a", 100)
    with pytest.raises(ProviderRejected, match="Quantity less than minimal 50"):
        client.add(101, "https://instagram.com/a", 10)
    with pytest.raises(ProviderRejected, match="Quantity more than maximal 10000"):
        client.add(101, "https://instagram.com/a", 10_001)
    client.add(203, "https://www.youtube.com/watch?v=abc", 500_000)  # 550.00 of 734.52
    with pytest.raises(ProviderRejected, match="Not enough funds on balance"):
        client.add(203, "https://www.youtube.com/watch?v=abc", 500_000)
    assert client.add(104, "https://instagram.com/p/x/", comments="nice\ngreat\nwow\nlove\nyes") > 0


def test_single_status_parses_strings(client, find_order):
    rec = find_order(lambda r, s: r["status"] == "Partial")
    status = client.status(rec["order"])
    assert isinstance(status, OrderStatus)
    assert status == OrderStatus(
        order=rec["order"], status="Partial", raw_status="Partial", charge=Decimal(rec["charge"]),
        start_count=rec["start_count"], remains=rec["remains"], currency="USD")
    assert status.is_final and status.is_known


def test_unknown_order_raises_order_not_found(client):
    with pytest.raises(OrderNotFound, match="Incorrect order ID") as info:
        client.status(1)
    assert isinstance(info.value, ProviderRejected)
    assert info.value.action == "status" and info.value.provider == "demo"


def test_wrong_key_raises_auth_error(demo_server):
    with SmmV2Client(demo_server.url, "not-the-key") as wrong:
        with pytest.raises(ProviderAuthError, match="Invalid API key"):
            wrong.balance()


def test_batched_status_with_per_item_error(client, demo_server):
    ids = sorted(demo_server.state.orders)[:5]
    result = client.status_batch([*ids, 12345, ids[0]])
    assert list(result) == [*ids, 12345]  # duplicates collapse, order kept
    assert all(isinstance(result[i], OrderStatus) for i in ids)
    assert result[12345] == ItemError(id="12345", error="Incorrect order ID")


def test_batched_status_of_every_status(client, demo_server):
    ids = sorted(demo_server.state.orders)[:100]
    result = client.status_batch(ids)
    seen = {s.status for s in result.values()}
    assert {"Completed", "Canceled", "Pending"} <= seen
    assert all(s.is_known for s in result.values())


def test_more_than_100_ids_never_leave_the_client(client, demo_server):
    with pytest.raises(TooManyIds):
        client.status_batch(range(1, 102))
    assert [len(c) for c in chunked(range(250))] == [100, 100, 50]
    assert client.status_batch([]) == {}


def test_refill_single_and_refill_status(client, refillable_order):
    rec = refillable_order
    refill = client.refill(rec["order"])
    assert isinstance(refill, RefillResult) and refill.order == rec["order"]
    assert isinstance(refill.refill, str) and refill.refill.isdigit()
    assert client.refill_status(refill.refill) == RefillStatus(refill.refill, "Pending", "Pending")
    with pytest.raises(ProviderRejected, match="not eligible"):
        client.refill(rec["order"])  # one refill in flight at a time
    with pytest.raises(ProviderRejected, match="Refill not found"):
        client.refill_status(999_999)


def test_refill_on_a_no_refill_service_is_rejected(client, find_order):
    rec = find_order(lambda r, s: not s["refill"] and r["status"] == "Completed")
    with pytest.raises(ProviderRejected, match="Refill is disabled"):
        client.refill(rec["order"])


def test_cancel_batch(client, find_order):
    pending = find_order(lambda r, s: s["cancel"] and r["status"] == "Pending")
    done = find_order(lambda r, s: r["status"] == "Completed")
    result = client.cancel([pending["order"], done["order"], 77])
    assert result[pending["order"]] == CancelResult(order=pending["order"], accepted=True)
    assert isinstance(result[done["order"]], ItemError)
    assert result[77] == ItemError(id="77", error="Incorrect order ID")


def test_from_provider_uses_model_like_objects(demo_server, demo_key):
    class Row:
        name, api_url, api_key = "Row provider", demo_server.url, demo_key

    with SmmV2Client.from_provider(Row(), timeout=3) as c:
        assert c.name == "Row provider" and c.balance().currency == "USD"
