"""Fixtures for the provider client and demo provider tests: a real server on loopback."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from app.providers.client import SmmV2Client
from app.providers.demo_server import DemoProviderServer
from app.providers.demo_world import service_by_id

DEMO_KEY = "sk-demo-7f3a9c2e41b8-SECRET"


class FakeClock:
    """Monotonic clock that only moves when a test says so (orders then move only on advance())."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def demo_key() -> str:
    return DEMO_KEY


@pytest.fixture
def demo_server() -> Iterator[DemoProviderServer]:
    """A fresh demo provider per test, with a frozen clock (time moves via ``advance``)."""
    with DemoProviderServer(DEMO_KEY, clock=FakeClock()) as server:
        yield server


@pytest.fixture
def client(demo_server: DemoProviderServer) -> Iterator[SmmV2Client]:
    with SmmV2Client(demo_server.url, DEMO_KEY, name="demo", timeout=5) as c:
        yield c


@pytest.fixture
def find_order(demo_server: DemoProviderServer) -> Callable[..., dict]:
    """Return the first demo order matching a predicate on (record, service)."""

    def find(predicate: Callable[[dict, dict], bool]) -> dict:
        for rec in sorted(demo_server.state.orders.values(), key=lambda r: r["order"]):
            if predicate(rec, service_by_id(rec["service"])):
                return rec
        raise LookupError("no demo order matches")

    return find


def refillable(rec: dict, service: dict) -> bool:
    """Completed, on a refill service, well inside its refill window, and dropped since."""
    from datetime import datetime, timedelta, timezone

    window = datetime.now(timezone.utc) - timedelta(days=service["refill_days"] - 2)
    expected = rec["start_count"] + rec["quantity"] - max(rec["remains"], 0)
    return (service["refill"] and rec["status"] == "Completed"
            and datetime.fromisoformat(rec["created_at"]) > window and rec["current_count"] < expected)


@pytest.fixture
def refillable_order(find_order) -> dict:
    return find_order(refillable)


@pytest.fixture
def is_refillable() -> Callable[[dict, dict], bool]:
    return refillable


@pytest.fixture
def make_server() -> Iterator[Callable[..., DemoProviderServer]]:
    """Factory for extra demo providers (own clock, options); all shut down after the test."""
    servers: list[DemoProviderServer] = []

    def make(**options) -> DemoProviderServer:
        options.setdefault("clock", FakeClock())
        server = DemoProviderServer(DEMO_KEY, **options)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.shutdown()
