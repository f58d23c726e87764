"""Transport faults become typed ProviderErrors, and the key never leaks anywhere."""
from __future__ import annotations

import logging
import socket
import threading
import time
import traceback
from decimal import Decimal

import pytest
from flask import Flask, Response, jsonify, redirect

from app.providers.client import SmmV2Client
from app.providers.demo_server import make_demo_server
from app.providers.errors import (
    OrderNotFound, ProviderBadResponse, ProviderError, ProviderRejected, ProviderTimeout,
    ProviderUnavailable,
)
from app.providers.results import ItemError


def test_slow_answer_is_a_timeout_with_unknown_outcome(demo_server, demo_key):
    demo_server.set_faults(delay=3)
    with SmmV2Client(demo_server.url, demo_key, timeout=0.3) as c:
        started = time.monotonic()
        with pytest.raises(ProviderTimeout) as info:
            c.add(101, "https://instagram.com/a", 100)
    assert time.monotonic() - started < 2
    assert info.value.outcome_unknown is True
    assert isinstance(info.value, ProviderUnavailable)


def test_http_500_is_unavailable(client, demo_server):
    demo_server.set_faults(http_500=True)
    with pytest.raises(ProviderUnavailable) as info:
        client.balance()
    assert info.value.status_code == 500 and info.value.outcome_unknown


def test_malformed_json_is_a_bad_response(client, demo_server):
    demo_server.set_faults(malformed_json=True)
    with pytest.raises(ProviderBadResponse, match="not JSON"):
        client.status(8310007)


def test_oversized_answer_is_capped(client, demo_server):
    demo_server.set_faults(oversize=True)
    with pytest.raises(ProviderBadResponse, match="too large"):
        client.services()


def test_dropped_connection_is_unavailable_not_500(client, demo_server):
    demo_server.set_faults(drop_connection=True)
    with pytest.raises(ProviderUnavailable) as info:
        client.cancel([8310007])
    assert info.value.status_code is None  # no HTTP answer at all
    assert info.value.outcome_unknown is True
    assert "connection lost" in str(info.value)


def test_connection_refused_is_known_not_sent(demo_key):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with SmmV2Client(f"http://127.0.0.1:{port}/api/v2", demo_key, timeout=2) as c:
        with pytest.raises(ProviderUnavailable) as info:
            c.balance()
    assert info.value.outcome_unknown is False


def test_incorrect_order_id_fault(client, demo_server):
    known = sorted(demo_server.state.orders)[:3]
    demo_server.set_faults(incorrect_order_id=[known[1]])
    with pytest.raises(OrderNotFound):
        client.status(known[1])
    batch = client.status_batch(known)
    assert batch[known[1]] == ItemError(str(known[1]), "Incorrect order ID")
    assert batch[known[0]].status


def test_faults_can_be_limited_by_action_and_count(client, demo_server):
    demo_server.set_faults(http_500=True, actions=["balance"], remaining=2)
    assert client.services()
    for _ in range(2):
        with pytest.raises(ProviderUnavailable):
            client.balance()
    assert client.balance().currency == "USD"  # budget spent, fault cleared


@pytest.mark.parametrize("dialect", ["cancelled_spelling", "numbers", "bare_item_errors"])
def test_client_reads_provider_dialects(client, demo_server, find_order, dialect):
    demo_server.set_faults(**{dialect: True})
    rec = find_order(lambda r, s: r["status"] == "Canceled")
    status = client.status(rec["order"])
    assert status.status == "Canceled"
    assert status.raw_status == ("Cancelled" if dialect == "cancelled_spelling" else "Canceled")
    assert status.charge == Decimal(rec["charge"]) and status.remains == rec["quantity"]
    assert client.status_batch([rec["order"], 5])[5] == ItemError("5", "Incorrect order ID")
    assert client.balance().balance == Decimal("734.51862")


@pytest.fixture
def odd_provider(demo_key):
    """A provider that misbehaves in ways the demo provider does not: echoes the key, redirects, 4xx."""
    app = Flask("odd")

    @app.post("/echo")
    def echo():
        return jsonify(error=f"Invalid API key {demo_key}")

    @app.post("/html")
    def html():
        return f"<html>key={demo_key} Cloudflare</html>", 200

    @app.post("/moved")
    def moved():
        return redirect("/echo", code=308)

    @app.post("/stream")
    def stream():
        return Response(b"[" + b'"xxxxxxxxxx",' * n + b"1]" for n in [10_000] * 20)  # chunked, ~2.4 MB

    @app.post("/http402")
    def http402():
        return jsonify(error="Not enough funds on balance"), 402

    server = make_demo_server(app, quiet=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_redirects_are_not_followed(odd_provider, demo_key):
    with SmmV2Client(odd_provider + "/moved", demo_key) as c:
        with pytest.raises(ProviderBadResponse, match="redirect"):
            c.balance()


def test_streamed_answer_without_length_is_capped(odd_provider, demo_key):
    with SmmV2Client(odd_provider + "/stream", demo_key, max_bytes=100_000) as c:
        with pytest.raises(ProviderBadResponse, match="larger than 100000 bytes"):
            c.services()


def test_4xx_with_json_error_is_a_rejection(odd_provider, demo_key):
    with SmmV2Client(odd_provider + "/http402", demo_key) as c:
        with pytest.raises(ProviderRejected, match="Not enough funds") as info:
            c.add(1, "x", 1)
    assert info.value.status_code == 402


def _all_failures(demo_server, demo_key, odd_provider) -> list[ProviderError]:
    errors: list[ProviderError] = []
    calls = [
        (odd_provider + "/echo", {}), (odd_provider + "/html", {}),
        (demo_server.url, {"delay": 2}), (demo_server.url, {"http_500": True}),
        (demo_server.url, {"malformed_json": True}), (demo_server.url, {"drop_connection": True}),
        (demo_server.url, {"incorrect_order_id": True}),
    ]
    for url, faults in calls:
        demo_server.clear_faults()
        demo_server.set_faults(**faults)
        with SmmV2Client(url, demo_key, timeout=0.3) as c:
            with pytest.raises(ProviderError) as info:
                c.status(8310007)
        errors.append(info.value)
    return errors


def test_key_never_in_errors_reprs_or_logs(demo_server, demo_key, odd_provider, caplog):
    caplog.set_level(logging.DEBUG)
    errors = _all_failures(demo_server, demo_key, odd_provider)
    with SmmV2Client(demo_server.url, demo_key, timeout=2) as c:
        c.balance()
        c.status_batch([8310007, 1])
        assert demo_key not in repr(c) and demo_key not in str(vars(c)) + str(vars(c._t))
    assert len(errors) == 7 and caplog.records
    for exc in errors:
        assert exc.__context__ is None and exc.__cause__ is None  # no path to the request body
        text = "".join(traceback.format_exception(exc))
        assert demo_key not in text and demo_key not in repr(exc)
    assert "***" in str(errors[0]) and "***" in str(errors[1])
    assert demo_key not in caplog.text
