"""Jobs run inside the Flask app, whichever worker runs them.

`flask worker` already pushes an app context; a plain `rq worker` does not, so a job
wrapped with `in_app_context` builds the app once per process (from the same
environment: DATABASE_URL, REDIS_URL) and pushes a context per job, removing the
session afterwards so no connection state leaks into the next job.
"""
from __future__ import annotations

import functools

from flask import has_app_context

_app = None


def _the_app():
    global _app
    if _app is None:
        from app import create_app

        _app = create_app()
    return _app


def in_app_context(job):
    @functools.wraps(job)
    def wrapper(*args, **kwargs):
        if has_app_context():
            return job(*args, **kwargs)
        from app.extensions import db

        with _the_app().app_context():
            try:
                return job(*args, **kwargs)
            finally:
                db.session.remove()

    return wrapper
