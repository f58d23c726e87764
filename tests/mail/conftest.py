"""Outbound-mail fixtures: a real SMTP server (aiosmtpd) on loopback, and running the notification jobs."""
from __future__ import annotations

import email
from email import policy

import pytest
from aiosmtpd.controller import Controller

from tests.intake.conftest import alice, bob, free_port, settings  # noqa: F401  (shared fixtures)


class Inbox:
    """Every message the server accepted: (envelope recipients, parsed message, raw bytes)."""

    def __init__(self):
        self.received: list[tuple[list[str], email.message.EmailMessage, bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        self.received.append((list(envelope.rcpt_tos), email.message_from_bytes(raw, policy=policy.default), raw))
        return "250 OK"

    def messages(self):
        return [m for _, m, _ in self.received]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_TIMEOUT=5)
    yield inbox
    controller.stop()


@pytest.fixture
def run_jobs(ctx):
    """Work the notifications queue in this process until it is empty; returns the jobs' statuses."""
    from rq import SimpleWorker

    from app.redis_conn import get_redis
    from workers.queues import queue

    def run():
        SimpleWorker([queue("notifications")], connection=get_redis()).work(burst=True)

    return run
