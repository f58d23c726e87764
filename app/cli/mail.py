"""`flask mail ...`: the command-line door into intake, one IMAP pass, and outbox upkeep."""
from __future__ import annotations

import json
import mailbox
import os

import click
from flask import current_app
from flask.cli import AppGroup

from app.intake import services

mail_cli = AppGroup("mail", help="Email intake and outbound mail.")


def _messages(path: str):
    """(label, raw bytes) for a .eml file, an mbox file or a Maildir folder."""
    if os.path.isdir(path):
        box = mailbox.Maildir(path, factory=None, create=False)
        for key in sorted(box.keys()):
            with box.get_file(key) as handle:
                yield f"{path}:{key}", handle.read()
        return
    with open(path, "rb") as handle:
        head = handle.read(5)
    if head == b"From ":
        box = mailbox.mbox(path, factory=None, create=False)
        for index, key in enumerate(box.keys()):
            yield f"{path}:{index}", box.get_bytes(key)
        return
    with open(path, "rb") as handle:
        yield path, handle.read()


@mail_cli.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def ingest(paths):
    """Ingest .eml files, mbox files and Maildir folders; one JSON line per message."""
    for path in paths:
        for label, raw in _messages(path):
            result = services.ingest_raw(raw, "cli", label)
            click.echo(json.dumps({**result.as_json(), "source": label}))


@mail_cli.command("poll")
def poll():
    """One IMAP pass over every configured mailbox (IMAP_MAILBOXES); one JSON line per message.

    The workers poll on their own schedule (`flask scheduler`); this is for a manual pass.
    """
    from app.intake.mailbox import poll_all

    if not current_app.config["IMAP_MAILBOXES"]:
        raise click.ClickException("No IMAP mailboxes configured (DESK_IMAP_MAILBOXES).")
    failed = False
    for name, results in poll_all().items():
        if isinstance(results, str):
            failed = True
            click.echo(json.dumps({"mailbox": name, "error": results}))
            continue
        for result in results:
            click.echo(json.dumps({**result.as_json(), "source": f"imap:{name}"}))
    if failed:
        raise SystemExit(1)


@mail_cli.command("resend")
def resend():
    """Enqueue every outbound email still queued (after a Redis outage lost its job)."""
    from workers.mail import resend_queued

    click.echo(f"{resend_queued()} emails enqueued")
