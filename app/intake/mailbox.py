"""One IMAP pass over one mailbox: download, commit, and only then flag (or move) on the server.

- Sizes come first (`RFC822.SIZE`); a message over INTAKE_MAX_BYTES is never downloaded,
  only its header block, and it is recorded as quarantined.
- Bodies are fetched with `BODY.PEEK[]`, which does not set \\Seen by itself.
- After `ingest_raw` has committed, the message gets \\Seen plus our keyword (and is
  moved, if the mailbox says `move_to`). A crash in between leaves it unflagged: the
  next pass downloads it again and the dedupe key makes it a `duplicate`, then flags it.
- Unflagged messages are found by `UNKEYWORD $DeskIngested`, so a human reading the
  mailbox in a mail client (which sets \\Seen) does not hide mail from the desk.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import current_app
from imapclient import IMAPClient

from app.intake.services import Result, ingest_raw, record_oversized

KEYWORD = b"$DeskIngested"
BATCH = 50


@dataclass(frozen=True)
class MailboxConfig:
    name: str
    host: str
    username: str
    password: str
    port: int = 993
    ssl: bool = True
    folder: str = "INBOX"
    move_to: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_dict(cls, data: dict) -> "MailboxConfig":
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        fields.setdefault("name", f"{data.get('username')}@{data.get('host')}")
        return cls(**fields)


def configured_mailboxes() -> list[MailboxConfig]:
    return [MailboxConfig.from_dict(item) for item in current_app.config["IMAP_MAILBOXES"]]


def poll(box: MailboxConfig, after_commit: Callable[[int, Result], None] | None = None) -> list[Result]:
    """Ingest every message not yet flagged; `after_commit` is a test hook run before the flag."""
    results = []
    limit = current_app.config["INTAKE_MAX_BYTES"]
    with IMAPClient(box.host, port=box.port, ssl=box.ssl, timeout=box.timeout) as client:
        client.login(box.username, box.password)
        if box.move_to and not client.folder_exists(box.move_to):
            client.create_folder(box.move_to)
        info = client.select_folder(box.folder)
        validity = info.get(b"UIDVALIDITY", 0)
        uids = client.search(["UNKEYWORD", KEYWORD.decode()])
        for start in range(0, len(uids), BATCH):
            batch = uids[start:start + BATCH]
            sizes = client.fetch(batch, ["RFC822.SIZE"])
            for uid in batch:
                size = sizes.get(uid, {}).get(b"RFC822.SIZE", 0)
                fallback = f"imap:{box.name}:{validity}:{uid}"[:80]
                if size > limit:
                    head = client.fetch([uid], ["BODY.PEEK[HEADER]"])[uid].get(b"BODY[HEADER]", b"")
                    result = record_oversized(head[:256 * 1024], size, "imap", box.name, fallback)
                else:
                    data = client.fetch([uid], ["BODY.PEEK[]"])
                    raw = data.get(uid, {}).get(b"BODY[]")
                    if raw is None:  # expunged by someone else meanwhile
                        continue
                    result = ingest_raw(raw, "imap", box.name)
                if after_commit is not None:
                    after_commit(uid, result)
                _acknowledge(client, uid, box)
                results.append(result)
        if box.move_to:
            client.expunge()
    return results


def _acknowledge(client: IMAPClient, uid: int, box: MailboxConfig) -> None:
    client.add_flags([uid], [b"\\Seen", KEYWORD])
    if box.move_to:
        if client.has_capability("MOVE"):
            client.move([uid], box.move_to)
        else:
            client.copy([uid], box.move_to)
            client.add_flags([uid], [b"\\Deleted"])


def poll_all(after_commit=None) -> dict[str, list[Result] | str]:
    """One pass over every configured mailbox; one failing mailbox does not stop the others."""
    report: dict[str, list[Result] | str] = {}
    for box in configured_mailboxes():
        try:
            report[box.name] = poll(box, after_commit)
        except Exception as error:
            current_app.logger.exception("IMAP poll of %s failed", box.name)
            report[box.name] = f"error: {type(error).__name__}: {error}"
    return report
