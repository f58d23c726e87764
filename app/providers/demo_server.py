"""The demo provider: a real HTTP server speaking SMM API v2 on loopback.

Faithful to how providers really answer (reference §2.9): ``/api/v2`` with or
without a trailing slash and no redirect; form, query-string and JSON bodies;
errors as HTTP 200 ``{"error": ...}``; per-item errors inside batches; money
and counts as strings. Third-party clients (babismm, smmpy, safesmm) work
against it unchanged, and so the desk's tests exercise real HTTP.

Faults (slow answers, HTTP 500, malformed JSON, oversized bodies, dropped
connections, "Incorrect order ID") and dialect variants (``Cancelled``,
numbers as numbers, bare-string item errors) are switched from tests with
``DemoProviderServer.set_faults(...)`` or from another process with
``POST /_control/faults`` (guarded by the key).
"""
from __future__ import annotations

import hmac
import socket
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.serving import WSGIRequestHandler, make_server

from app.providers import demo_api
from app.providers.demo_state import DemoState

FAULT_DEFAULTS: dict[str, Any] = {
    "delay": 0.0,               # seconds to wait before answering
    "http_500": False,          # answer an HTML 500 page
    "malformed_json": False,    # answer truncated JSON with HTTP 200
    "oversize": False,          # answer a ~2 MB JSON body
    "drop_connection": False,   # close the socket without any answer
    "incorrect_order_id": False,  # True, or a list of order IDs, answered "Incorrect order ID"
    "actions": None,            # limit the faults above to these actions
    "remaining": None,          # apply to this many matching requests, then clear
    # dialect variants (reference §2.8), not limited by actions/remaining:
    "cancelled_spelling": False,
    "numbers": False,
    "bare_item_errors": False,
}
_TRANSIENT = ("delay", "http_500", "malformed_json", "oversize", "drop_connection", "incorrect_order_id")


class DemoProvider:
    """The server's mutable parts: world state, key and fault switches (all behind ``state.lock``)."""

    def __init__(self, key: str, state: DemoState, state_path: str | None) -> None:
        self.key = key
        self.state = state
        self.state_path = state_path
        self.faults = dict(FAULT_DEFAULTS)
        self.stopping = threading.Event()

    def set_faults(self, **changes: Any) -> dict:
        unknown = set(changes) - set(FAULT_DEFAULTS)
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(sorted(unknown))}")
        with self.state.lock:
            self.faults.update(changes)
            return dict(self.faults)

    def clear_faults(self) -> dict:
        with self.state.lock:
            self.faults = dict(FAULT_DEFAULTS)
            return dict(self.faults)

    def take_faults(self, action: str) -> dict:
        """The faults that apply to this request, consuming one use of a ``remaining`` budget."""
        with self.state.lock:
            f = dict(self.faults)
            active = any(f[name] for name in _TRANSIENT)
            if not active or (f["actions"] and action not in f["actions"]):
                return {**f, **{name: FAULT_DEFAULTS[name] for name in _TRANSIENT}}
            if f["remaining"] is not None:
                self.faults["remaining"] = f["remaining"] - 1
                if self.faults["remaining"] <= 0:
                    self.faults.update({name: FAULT_DEFAULTS[name] for name in (*_TRANSIENT, "remaining")})
            return f

    def key_ok(self, given: object) -> bool:
        return isinstance(given, str) and hmac.compare_digest(given.encode(), self.key.encode())

    def persist(self) -> None:
        if self.state_path:
            with self.state.lock:
                self.state.save(self.state_path)


def create_demo_provider(key: str, *, seed: int = 7, count: int = 200, speed: float = 1.0,
                         clock: Callable[[], float] = time.monotonic, state_path: str | None = None,
                         faults: dict | None = None) -> Flask:
    """Build the demo provider app; independent of the desk's app factory on purpose."""
    if not key:
        raise ValueError("the demo provider needs a key")
    state = DemoState(seed=seed, count=count, speed=speed, clock=clock)
    if state_path:
        try:
            state.load(state_path)
        except FileNotFoundError:
            pass
    provider = DemoProvider(key, state, state_path)
    provider.set_faults(**(faults or {}))
    app = Flask("demo_provider")
    app.extensions["demo_provider"] = provider
    app.wsgi_app = _DropMiddleware(app.wsgi_app)  # type: ignore[method-assign]
    app.add_url_rule("/api/v2", "api", lambda: _api(provider), methods=["GET", "POST"], strict_slashes=False)
    app.add_url_rule("/_control/faults", "faults", lambda: _control_faults(provider),
                     methods=["GET", "POST", "DELETE"])
    app.add_url_rule("/_control/clock", "clock", lambda: _control_clock(provider), methods=["GET", "POST"])
    app.add_url_rule("/_control/orders/<int:order_id>", "order",
                     lambda order_id: _control_order(provider, order_id))
    return app


def _params() -> dict[str, str]:
    """Query string, then form body, then JSON body (later wins), all as strings."""
    merged: dict[str, Any] = {**request.args.to_dict(), **request.form.to_dict()}
    body = request.get_json(force=True, silent=True) if not request.form else None
    if isinstance(body, dict):
        merged.update(body)
    return {k: ",".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in merged.items()}


def _api(provider: DemoProvider) -> Response:
    params = _params()
    faults = provider.take_faults(params.get("action", ""))
    if faults["delay"]:
        provider.stopping.wait(float(faults["delay"]))
    if faults["drop_connection"]:
        request.environ["demo_provider.drop"] = True
        return Response(b"")
    if faults["http_500"]:
        return Response("<html><body><h1>500 Internal Server Error</h1></body></html>", 500,
                        content_type="text/html")
    if faults["malformed_json"]:
        return Response('{"charge": "0.27819", "start_count": "35', content_type="application/json")
    if faults["oversize"]:
        return jsonify(["x" * 1000] * 2100)
    if not provider.key_ok(params.get("key")):
        return jsonify(error="Invalid API key")
    with provider.state.lock:
        provider.state.sync()
        answer = demo_api.dispatch(provider.state, params, faults)
    if params.get("action") in demo_api.MUTATING:
        provider.persist()
    return jsonify(answer)


def _control_key_ok(provider: DemoProvider, body: dict) -> bool:
    given = request.headers.get("X-Demo-Key") or body.get("key") or request.values.get("key")
    return provider.key_ok(given)


def _control_faults(provider: DemoProvider) -> tuple[Response, int] | Response:
    body = request.get_json(silent=True) or request.form.to_dict()
    if not _control_key_ok(provider, body):
        return jsonify(error="Invalid API key"), 403
    if request.method == "DELETE" or body.get("clear"):
        provider.clear_faults()
    changes = {k: v for k, v in body.items() if k not in ("key", "clear")}
    try:
        return jsonify(provider.set_faults(**changes))
    except ValueError as exc:
        return jsonify(error=str(exc)), 400


def _control_clock(provider: DemoProvider) -> tuple[Response, int] | Response:
    body = request.get_json(silent=True) or request.form.to_dict()
    if not _control_key_ok(provider, body):
        return jsonify(error="Invalid API key"), 403
    with provider.state.lock:
        if body.get("speed") is not None:
            provider.state.set_speed(float(body["speed"]))
        if body.get("advance"):
            provider.state.advance(float(body["advance"]))
        return jsonify(vnow=provider.state.vnow(), speed=provider.state.speed)


def _control_order(provider: DemoProvider, order_id: int) -> tuple[Response, int] | Response:
    """Everything about one order, including ``current_count`` which the API never shows."""
    if not _control_key_ok(provider, {}):
        return jsonify(error="Invalid API key"), 403
    with provider.state.lock:
        provider.state.sync()
        rec = provider.state.orders.get(order_id)
        return jsonify(rec) if rec else (jsonify(error="Incorrect order ID"), 404)


class _DropMiddleware:
    """Turns the ``drop_connection`` fault into a real connection drop.

    Flask would answer an exception with a 500, so the view only marks the
    request; here, outside Flask, the socket is shut down with SO_LINGER 0 and
    ``ConnectionResetError`` tells werkzeug the connection is gone, so no byte
    of an answer is ever written and the client sees a reset/remote disconnect.
    """

    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        result = self.wsgi_app(environ, start_response)
        if not environ.get("demo_provider.drop"):
            return result
        getattr(result, "close", lambda: None)()
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.shutdown(socket.SHUT_RDWR)
        raise ConnectionResetError("demo provider fault: connection dropped")


class _Handler(WSGIRequestHandler):
    """Access log without query strings: GET-style clients put the key there."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if not getattr(self.server, "quiet", False):
            self.log("info", '"%s %s" %s', self.command, self.path.split("?")[0], code)


def make_demo_server(app: Flask, host: str = "127.0.0.1", port: int = 0, quiet: bool = False):
    """A threaded werkzeug server for the app (port 0 = pick a free one)."""
    server = make_server(host, port, app, threaded=True, request_handler=_Handler)
    server.quiet = quiet
    return server


class DemoProviderServer:
    """Runs the demo provider in a background thread; for tests and ``make run``.

    >>> with DemoProviderServer("k", speed=60) as srv:
    ...     SmmV2Client(srv.url, "k").balance()
    """

    def __init__(self, key: str = "demo-key", *, host: str = "127.0.0.1", port: int = 0,
                 quiet: bool = True, **options: Any) -> None:
        self.key = key
        self.app = create_demo_provider(key, **options)
        self.provider: DemoProvider = self.app.extensions["demo_provider"]
        self._server = make_demo_server(self.app, host, port, quiet)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="demo-provider", daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://{self._server.host}:{self._server.port}"

    @property
    def url(self) -> str:
        return f"{self.base_url}/api/v2"

    @property
    def state(self) -> DemoState:
        return self.provider.state

    def set_faults(self, **changes: Any) -> dict:
        return self.provider.set_faults(**changes)

    def clear_faults(self) -> dict:
        return self.provider.clear_faults()

    def advance(self, seconds: float) -> None:
        with self.state.lock:
            self.state.advance(seconds)

    def shutdown(self) -> None:
        """Stop serving and save the state (if a path was given); safe to call twice."""
        if self.provider.stopping.is_set():
            return
        self.provider.stopping.set()  # wake requests sleeping in a "delay" fault
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self.provider.persist()

    def __enter__(self) -> DemoProviderServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
