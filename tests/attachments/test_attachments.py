"""Screenshots: recognised by content, re-encoded without EXIF, served only to who may see them."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from app.attachments.imaging import ImageRejected, clean_image
from app.attachments.services import Upload, display_name
from app.extensions import db
from app.tickets import services


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (64, 48), (10, 200, 10))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (1.0, 2.0, 3.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_exif_is_stripped_and_tail_dropped():
    raw = jpeg_with_exif() + b"<?php system($_GET['c']); ?>"
    clean = clean_image(raw, 40_000_000)
    assert clean.content_type == "image/jpeg"
    assert b"SecretCam" not in clean.data and b"<?php" not in clean.data
    assert not Image.open(io.BytesIO(clean.data)).getexif()
    assert Image.open(io.BytesIO(clean.thumbnail)).size == (64, 48)


@pytest.mark.parametrize("payload", [
    b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
    b"%PDF-1.4 fake",
    b"GIF89a<script>alert(1)</script>",
    b"",
])
def test_non_images_are_rejected(payload):
    with pytest.raises(ImageRejected):
        clean_image(payload, 40_000_000)


def test_decompression_bomb_is_rejected():
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG")
    with pytest.raises(ImageRejected, match="larger than 40 megapixels"):
        clean_image(out.getvalue(), 40_000_000)


def test_gif_becomes_png():
    out = io.BytesIO()
    Image.new("P", (20, 20)).save(out, format="GIF")
    assert clean_image(out.getvalue(), 40_000_000).content_type == "image/png"


def test_display_names_are_defanged():
    assert display_name("../../etc/passwd") == "etcpasswd"
    assert display_name("\u202egnp.exe") == "gnp.exe"
    assert display_name("") == "screenshot"
    assert len(display_name("a" * 5000)) == 200


def make_ticket_with_image(customer, order, uploads):
    ticket = services.open_ticket(customer, kind="refund", reason="not_delivered", subject="s", body="b",
                                  order_ids=[order.panel_id], uploads=uploads)
    db.session.commit()
    return ticket


def test_attachment_served_only_to_owner_and_agents(app, login, make_user, make_order, ctx):
    from tests.tickets.test_portal import png_bytes

    owner, stranger, agent = make_user("customer"), make_user("customer"), make_user("agent")
    ticket = make_ticket_with_image(owner, make_order(owner), [Upload("a.png", png_bytes())])
    attachment_id = ticket.attachments[0].id
    anonymous = app.test_client()
    assert anonymous.get(f"/attachments/{attachment_id}").status_code == 302  # to login
    for user, expected in ((owner, 200), (stranger, 404), (agent, 200)):
        client = login(user, app.test_client())
        response = client.get(f"/attachments/{attachment_id}")
        assert response.status_code == expected
        if expected == 200:
            assert response.headers["Content-Type"] == "image/png"
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Cache-Control"] == "private, no-store"
            assert client.get(f"/attachments/{attachment_id}/thumbnail").status_code == 200


def test_internal_note_attachments_are_hidden_from_customer(app, login, make_user, make_order, ctx):
    from tests.tickets.test_portal import png_bytes

    owner, agent = make_user("customer"), make_user("agent")
    ticket = make_ticket_with_image(owner, make_order(owner), [])
    services.add_message(ticket, agent, "internal evidence", internal=True, uploads=[Upload("x.png", png_bytes())])
    db.session.commit()
    attachment_id = ticket.attachments[0].id
    assert login(owner, app.test_client()).get(f"/attachments/{attachment_id}").status_code == 404


def test_upload_limits(app, make_user, make_order, ctx):
    from app.errors import ValidationError
    from tests.tickets.test_portal import png_bytes

    customer = make_user("customer")
    order = make_order(customer)
    with pytest.raises(ValidationError, match="at most 5"):
        make_ticket_with_image(customer, order, [Upload(f"{i}.png", png_bytes()) for i in range(6)])
    app.config["UPLOAD_MAX_BYTES"] = 100
    try:
        with pytest.raises(ValidationError, match="big.png: the file is over 0 MB"):
            make_ticket_with_image(customer, order, [Upload("big.png", b"x" * 101)])
    finally:
        app.config["UPLOAD_MAX_BYTES"] = 8 * 1024 * 1024
