"""Serving stored files, only after an authorization check."""
from __future__ import annotations

from flask import Blueprint, current_app, send_file
from flask_login import current_user, login_required

from app.attachments import storage
from app.attachments.services import attachment_for

bp = Blueprint("attachments", __name__, url_prefix="/attachments")

INLINE_TYPES = {"image/png", "image/jpeg", "image/webp"}


@bp.get("/<int:attachment_id>")
@bp.get("/<int:attachment_id>/thumbnail", endpoint="thumbnail", defaults={"thumbnail": True})
@login_required
def download(attachment_id: int, thumbnail: bool = False):
    attachment = attachment_for(current_user, attachment_id)
    key = attachment.thumbnail_key if thumbnail and attachment.thumbnail_key else attachment.storage_key
    inline = attachment.content_type in INLINE_TYPES
    response = send_file(
        storage.path_for(current_app.config["UPLOAD_FOLDER"], key),
        mimetype=attachment.content_type if inline else "application/octet-stream",
        as_attachment=not inline,
        download_name=attachment.original_name,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
