"""Fixtures shared by the money tests (actions, wallet, workers): a real demo provider over
loopback and the real Redis of the suite. Each of those folders' conftest imports them."""
from __future__ import annotations

import pytest

from app.providers.demo_server import DemoProviderServer
from tests.actions import support
from tests.providers.conftest import DEMO_KEY, FakeClock


@pytest.fixture
def fast(app):
    """Retries and follow-ups without waiting; restored afterwards (the app is session-wide)."""
    saved = {k: app.config.get(k) for k in support.FAST}
    app.config.update(support.FAST)
    yield app
    for key, value in saved.items():
        if value is None:
            app.config.pop(key, None)
        else:
            app.config[key] = value


@pytest.fixture
def provider():
    with DemoProviderServer(DEMO_KEY, clock=FakeClock()) as server:
        yield server


@pytest.fixture
def demo_service(ctx, provider):
    return support.demo_service(provider.url, DEMO_KEY)


@pytest.fixture
def pick(provider):
    """The first demo provider order matching a predicate on (record, service spec)."""
    from app.providers.demo_world import service_by_id

    def find(predicate):
        for rec in sorted(provider.state.orders.values(), key=lambda r: r["order"]):
            if predicate(rec, service_by_id(rec["service"])):
                return rec
        raise LookupError("no demo order matches")

    return find


class CallCounter:
    """Counts the demo provider's requests per API action, at the HTTP layer (WSGI)."""

    def __init__(self, wsgi_app):
        self.wsgi_app, self.counts = wsgi_app, {}

    def __call__(self, environ, start_response):
        import io
        from urllib.parse import parse_qs

        size = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(size) if size else b""
        environ["wsgi.input"] = io.BytesIO(body)  # put the body back for the real app
        form = parse_qs(body.decode("utf-8", "replace")) | parse_qs(environ.get("QUERY_STRING", ""))
        action = (form.get("action") or ["?"])[0]
        self.counts[action] = self.counts.get(action, 0) + 1
        return self.wsgi_app(environ, start_response)


@pytest.fixture
def calls(provider):
    counter = CallCounter(provider.app.wsgi_app)
    provider.app.wsgi_app = counter
    return counter.counts
