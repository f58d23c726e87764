"""Scheduled IMAP polling: the desk's scheduler (app/scheduling.py) queues one pass per interval.

A Redis lock (NX with a TTL) stops two passes overlapping when a pass outlives its
interval. A lost pass loses no mail: unflagged messages simply wait for the next one.
"""
from __future__ import annotations

from flask import current_app

from app.scheduling import redis_lock


def poll_mailboxes() -> dict:
    """One pass over every configured mailbox; {mailbox name: outcomes or an error text}."""
    from app.intake.mailbox import poll_all

    config = current_app.config
    if not config["IMAP_MAILBOXES"]:
        return {}
    with redis_lock("imap-poll", ttl=max(60, int(config["IMAP_POLL_SECONDS"]) * 5)) as held:
        if not held:
            return {}
        report = poll_all()
    return {name: (r if isinstance(r, str) else [x.outcome for x in r]) for name, r in report.items()}
