"""Perceptual hashes of attached screenshots, and matches across tickets.

Each image gets a 64-bit DCT perceptual hash (imagehash.phash on the cleaned image), stored as
16 hex digits in Attachment.phash, plus its first 16 bits in Attachment.phash_prefix. A resized,
re-encoded or re-saved copy hashes to the same or a few bits away; two images match when the
Hamming distance is at most MAX_DISTANCE.

Finding candidates stays index-friendly: we look up the attachment's prefix bucket and the 16
buckets one bit away (an `IN` of 17 values on an indexed column), newest first and at most
MAX_CANDIDATES, then check the full distance in Python. The low-frequency bits that form the
prefix are the most stable under resizing, so a copy whose prefix moved by two or more bits is
the accepted miss. Matches are stored (ScreenshotMatch) so the queue can filter with a join.
"""
from __future__ import annotations

import io

import imagehash
from PIL import Image
from sqlalchemy import or_, select

from app.extensions import db
from app.reports.models import ScreenshotMatch
from app.tickets.models import Attachment

MAX_DISTANCE = 4
PREFIX_BITS = 16
MAX_CANDIDATES = 2000


def perceptual_hash(data: bytes) -> str:
    """16 hex digits of the 64-bit pHash of an image's bytes."""
    with Image.open(io.BytesIO(data)) as image:
        return str(imagehash.phash(image))


def prefix_of(phash: str) -> int:
    return int(phash, 16) >> (64 - PREFIX_BITS)


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def stamp(attachment: Attachment, data: bytes) -> None:
    """Set the hash columns of a new attachment from its cleaned image bytes."""
    attachment.phash = perceptual_hash(data)
    attachment.phash_prefix = prefix_of(attachment.phash)


def _buckets(prefix: int) -> list[int]:
    return [prefix] + [prefix ^ (1 << bit) for bit in range(PREFIX_BITS)]


def similar(attachment: Attachment) -> list[tuple[Attachment, int]]:
    """Earlier attachments on other tickets within MAX_DISTANCE, nearest first."""
    if not attachment.phash:
        return []
    query = (select(Attachment).where(Attachment.phash_prefix.in_(_buckets(attachment.phash_prefix)),
                                      Attachment.ticket_id != attachment.ticket_id,
                                      Attachment.id < attachment.id)
             .order_by(Attachment.id.desc()).limit(MAX_CANDIDATES))
    found = [(other, distance(attachment.phash, other.phash)) for other in db.session.scalars(query)]
    return sorted(((o, d) for o, d in found if d <= MAX_DISTANCE), key=lambda pair: (pair[1], pair[0].id))


def record_matches(attachments: list[Attachment]) -> list[ScreenshotMatch]:
    """Store a match for each earlier look-alike of each new attachment (flush only)."""
    matches = [ScreenshotMatch(attachment_id=a.id, match_id=other.id, distance=d)
               for a in attachments for other, d in similar(a)]
    db.session.add_all(matches)
    db.session.flush()
    return matches


def matches_for_ticket(ticket_id: int) -> list[tuple[Attachment, Attachment, int]]:
    """(this ticket's attachment, the look-alike elsewhere, distance), both directions."""
    ids = select(Attachment.id).where(Attachment.ticket_id == ticket_id)
    query = select(ScreenshotMatch).where(or_(ScreenshotMatch.attachment_id.in_(ids),
                                              ScreenshotMatch.match_id.in_(ids)))
    out = []
    for m in db.session.scalars(query):
        mine, other = (m.attachment, m.match) if m.attachment.ticket_id == ticket_id else (m.match, m.attachment)
        out.append((mine, other, m.distance))
    return sorted(out, key=lambda row: (row[2], row[1].id))


def tickets_with_reuse():
    """A SELECT of ticket ids with a screenshot that matches one on another ticket."""
    newer = select(Attachment.ticket_id).join(ScreenshotMatch, ScreenshotMatch.attachment_id == Attachment.id)
    older = select(Attachment.ticket_id).join(ScreenshotMatch, ScreenshotMatch.match_id == Attachment.id)
    return newer.union(older)
