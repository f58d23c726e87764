"""Abuse signals on the ticket page and as queue filters, one signal at a time."""
from __future__ import annotations

import io
import random
from datetime import timedelta

from PIL import Image, ImageDraw

from app.attachments.services import Upload
from app.db import utcnow
from app.extensions import db
from app.reports import screenshots, signals
from app.tickets import services as tickets
from tests.reports.support import refund


def screenshot(seed: int, size=(640, 360), fmt="PNG", quality=90) -> bytes:
    rng = random.Random(seed)
    image = Image.new("RGB", (640, 360), (245, 247, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 640, 56), fill=(64, 93, 230))
    for _ in range(4):
        x, y, r = rng.randint(60, 580), rng.randint(80, 300), rng.randint(25, 70)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randint(0, 255) for _ in range(3)))
    image = image.resize(size)
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": quality} if fmt == "JPEG" else {}))
    return out.getvalue()


def file_ticket(customer, orders=(), uploads=(), subject="Help"):
    t = tickets.open_ticket(customer, kind="refund", reason="not_delivered", subject=subject, body="Please check.",
                            order_ids=[o.panel_id for o in orders], uploads=list(uploads))
    db.session.commit()
    return t


def queue_ids(client, signal) -> set[int]:
    html = client.get(f"/desk/?status=all&signal={signal}").get_data(as_text=True)
    import re
    return {int(n) for n in re.findall(r'data-ticket="(\d+)"', html)}


def test_reused_screenshot_is_caught_when_resized_and_reencoded(make_user, make_order, login, client):
    alice, bob, agent = make_user(), make_user(), make_user("agent")
    original = file_ticket(alice, [make_order(alice)], [Upload("a.png", screenshot(1))])
    copy = file_ticket(bob, [make_order(bob)], [Upload("b.jpg", screenshot(1, (480, 270), "JPEG", 70))])
    other = file_ticket(bob, [make_order(bob)], [Upload("c.png", screenshot(2))])
    found = signals.ticket_signals(copy, utcnow())
    assert "reused_screenshot" in found.active
    (mine, theirs, distance), = found.reused
    assert theirs.ticket_id == original.id and distance <= screenshots.MAX_DISTANCE
    assert signals.ticket_signals(original, utcnow()).reused[0][1].ticket_id == copy.id  # both directions
    assert not signals.ticket_signals(other, utcnow()).reused
    login(agent)
    assert queue_ids(client, "reused_screenshot") == {original.id, copy.id}
    page = client.get(f"/desk/tickets/{copy.id}").get_data(as_text=True)
    assert "Reused screenshot" in page and "other customer" in page and f"/desk/tickets/{original.id}" in page


def test_hash_is_stable_under_resize_and_distinct_otherwise():
    base = screenshots.perceptual_hash(screenshot(7))
    assert len(base) == 16
    assert screenshots.distance(base, screenshots.perceptual_hash(screenshot(7, (1280, 720), "JPEG", 60))) <= 2
    assert screenshots.distance(base, screenshots.perceptual_hash(screenshot(8))) > screenshots.MAX_DISTANCE


def test_repeat_refunder(make_user, make_order, login, client):
    repeat, once, agent = make_user(), make_user(), make_user("agent")
    now = utcnow()
    when = (now - timedelta(days=10)).strftime("%Y-%m-%d %H:%M")
    for _ in range(3):
        refund(make_order(repeat, charge="4.00"), when, "4.00")
    make_order(repeat, charge="8.00")
    refund(make_order(once, charge="4.00"), when, "4.00")
    db.session.commit()
    flagged = file_ticket(repeat, [make_order(repeat)])
    fine = file_ticket(once, [make_order(once)])
    history = signals.ticket_signals(flagged, now).history
    # 3 refunded of 6 orders (3×4.00 + 8.00 + the ticket's 2.50 charged)
    assert (history.orders, history.refunded_orders, history.refunded) == (5, 3, 12)
    assert history.charged == 22.5 and str(history.rate) == "0.5333"
    assert "repeat_refunder" in signals.ticket_signals(flagged, now).active
    assert "repeat_refunder" not in signals.ticket_signals(fine, now).active
    login(agent)
    assert queue_ids(client, "repeat_refunder") == {flagged.id}


def test_chargeback_and_suspension(make_user, make_order, login, client):
    disputed, suspended, clean, agent = make_user(), make_user(), make_user(), make_user("agent")
    disputed.has_chargeback = True
    suspended.is_suspended = True
    db.session.commit()
    a, b, c = (file_ticket(u, [make_order(u)]) for u in (disputed, suspended, clean))
    found = signals.ticket_signals(a, utcnow())
    assert found.chargeback and not found.suspended and "chargeback" in found.active
    assert signals.ticket_signals(b, utcnow()).suspended
    assert signals.ticket_signals(c, utcnow()).active == []
    login(agent)
    assert queue_ids(client, "chargeback") == {a.id, b.id}


def test_other_open_ticket_for_the_same_order(make_user, make_order, login, client):
    customer, agent = make_user(), make_user("agent")
    shared, alone = make_order(customer), make_order(customer)
    first = file_ticket(customer, [shared], subject="first")
    second = file_ticket(customer, [shared], subject="second")
    third = file_ticket(customer, [alone], subject="third")
    (order, other), = signals.ticket_signals(second, utcnow()).duplicate_claims
    assert (order.id, other.id) == (shared.id, first.id)
    assert not signals.ticket_signals(third, utcnow()).duplicate_claims
    login(agent)
    assert queue_ids(client, "duplicate_claim") == {first.id, second.id}
    tickets.change_status(first, agent, "resolved")  # a resolved ticket no longer counts
    db.session.commit()
    assert not signals.ticket_signals(second, utcnow()).duplicate_claims
    assert queue_ids(client, "duplicate_claim") == {first.id}


def test_overlapping_orders_on_the_same_link(make_user, make_order, login, client):
    customer, agent = make_user(), make_user("agent")
    now = utcnow()
    link = "https://www.instagram.com/same/"
    running = make_order(customer, status="In progress", link=link, created_at=now - timedelta(days=2))
    during = make_order(customer, status="Partial", link=link, created_at=now - timedelta(days=1),
                        status_changed_at=now - timedelta(hours=2))
    before = make_order(customer, status="Completed", link="https://www.instagram.com/other/",
                        created_at=now - timedelta(days=9), status_changed_at=now - timedelta(days=8))
    later = make_order(customer, status="Completed", link="https://www.instagram.com/other/",
                       created_at=now - timedelta(days=3), status_changed_at=now - timedelta(days=2))
    overlap = file_ticket(customer, [during])
    sequential = file_ticket(customer, [later])
    found = signals.ticket_signals(overlap, now)
    assert [(o.id, other.id) for o, other in found.overlaps] == [(during.id, running.id)]
    assert not signals.ticket_signals(sequential, now).overlaps
    assert before.id  # finished before `later` started on the same link: no overlap
    login(agent)
    assert queue_ids(client, "overlap") == {overlap.id}


def test_unknown_signal_is_ignored(make_user, make_order, login, client):
    customer, agent = make_user(), make_user("agent")
    t = file_ticket(customer, [make_order(customer)])
    login(agent)
    assert queue_ids(client, "nonsense") == {t.id}
