"""Checking uploads and attaching them to tickets; authorization for reading them."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from app.attachments import storage
from app.attachments.imaging import CleanImage, ImageRejected, clean_image
from app.errors import NotFound, ValidationError
from app.extensions import db
from app.reports import screenshots
from app.tickets.models import Attachment, Message, Ticket

_UNSAFE_NAME_CHARS = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069/\\]")


@dataclass(frozen=True)
class Upload:
    """What a view or the API hands over: the client's name for the file and its bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    image: CleanImage


def display_name(filename: str | None) -> str:
    """The client's file name as harmless metadata: never used as a path."""
    name = unicodedata.normalize("NFKC", filename or "")
    name = _UNSAFE_NAME_CHARS.sub("", name).strip(" .")
    return name[:200] or "screenshot"


def check_uploads(uploads: list[Upload]) -> list[CheckedUpload]:
    """Validate every file before anything is stored; the error names the file and the problem."""
    config = current_app.config
    uploads = [u for u in uploads if u.data or u.filename]
    if len(uploads) > config["UPLOAD_MAX_FILES"]:
        raise ValidationError(f"Attach at most {config['UPLOAD_MAX_FILES']} screenshots.", field="screenshots")
    checked = []
    for upload in uploads:
        name = display_name(upload.filename)
        if not upload.data:
            raise ValidationError(f"{name}: the file is empty.", field="screenshots")
        if len(upload.data) > config["UPLOAD_MAX_BYTES"]:
            limit = config["UPLOAD_MAX_BYTES"] // (1024 * 1024)
            raise ValidationError(f"{name}: the file is over {limit} MB.", field="screenshots")
        try:
            checked.append(CheckedUpload(name, clean_image(upload.data, config["UPLOAD_MAX_PIXELS"])))
        except ImageRejected as error:
            raise ValidationError(f"{name}: {error}.", field="screenshots") from None
    return checked


def attach(ticket: Ticket, message: Message | None, uploader_id: int, checked: list[CheckedUpload]) -> list[Attachment]:
    folder = current_app.config["UPLOAD_FOLDER"]
    attachments = []
    for item in checked:
        key = storage.new_key(item.image.extension)
        thumb_key = storage.new_key(item.image.extension)
        storage.save(folder, key, item.image.data)
        storage.save(folder, thumb_key, item.image.thumbnail)
        attachment = Attachment(
            ticket=ticket,
            message=message,
            uploader_id=uploader_id,
            storage_key=key,
            thumbnail_key=thumb_key,
            original_name=item.name,
            content_type=item.image.content_type,
            size=len(item.image.data),
            width=item.image.width,
            height=item.image.height,
        )
        screenshots.stamp(attachment, item.image.data)
        db.session.add(attachment)
        attachments.append(attachment)
    db.session.flush()
    screenshots.record_matches(attachments)
    return attachments


def attachment_for(user, attachment_id: int) -> Attachment:
    """The attachment if `user` may read it; NotFound otherwise, whether it exists or not."""
    query = select(Attachment).where(Attachment.id == attachment_id)
    if not user.is_agent:
        query = query.join(Ticket).where(Ticket.customer_id == user.id)
        query = query.outerjoin(Message, Attachment.message_id == Message.id).where(
            (Message.id.is_(None)) | (Message.is_internal.is_(False))
        )
    attachment = db.session.scalar(query)
    if attachment is None:
        raise NotFound("No such attachment.")
    return attachment


def uploads_from_files(files) -> list[Upload]:
    """Werkzeug FileStorage objects → Uploads, reading at most one byte past the limit."""
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    return [Upload(f.filename or "", f.read(limit + 1)) for f in files if f and (f.filename or "").strip()]
