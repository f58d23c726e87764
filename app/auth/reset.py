"""Setting a password through an emailed link: "forgot your password", and how customers
created from an email (no password yet) claim their account.

The link carries a signed, timestamped token (itsdangerous, HMAC-SHA256 with SECRET_KEY and
a salt of its own) holding the user id and a fingerprint of the account's current password
hash and email. Nothing is stored: the token expires after PASSWORD_RESET_MAX_AGE seconds
and stops working as soon as the password (or the email) changes, so it is single-use.

The outbox row for the email holds only the user id; the link is made when the worker
builds the message (`account_email_context`), so a read of the outbox reveals no link and
the link's host comes from configuration, never from a request's Host header.
"""
from __future__ import annotations

import hashlib
import hmac
import logging

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import User
from app.auth.services import MIN_PASSWORD_LENGTH, find_user_by_email, hash_password, normalise_email
from app.errors import ValidationError
from app.extensions import db

log = logging.getLogger(__name__)

_SALT = "desk.auth.password-reset"
MAX_TOKEN_LENGTH = 512


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT,
                                  signer_kwargs={"digest_method": hashlib.sha256})


def _fingerprint(user: User) -> str:
    """Changes whenever the password (or email) does; keyed, so the token reveals nothing of the hash."""
    state = f"{user.password_hash or ''}\x00{user.email}".encode()
    key = current_app.config["SECRET_KEY"].encode() + b"\x00" + _SALT.encode()
    return hmac.new(key, state, hashlib.sha256).hexdigest()[:16]


def reset_token_for(user: User) -> str:
    return _serializer().dumps([user.id, _fingerprint(user)])


def user_for_reset_token(token: str | None) -> User | None:
    """The active user this token was made for, or None if it is malformed, forged, expired or used."""
    if not token or not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        payload = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except BadData:  # bad signature, expired, bad payload, bad timestamp
        return None
    if not (isinstance(payload, list) and len(payload) == 2):
        return None
    user_id, fingerprint = payload
    if type(user_id) is not int or not isinstance(fingerprint, str):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(fingerprint.encode(), _fingerprint(user).encode()):
        return None  # the password (or email) changed since: the link was used or is stale
    return user


def request_password_reset(email: str) -> None:
    """Queue a link for the account using `email`, if there is an active one; says nothing either way.

    Writes the outbox row in the caller's transaction; the email is sent after the commit (or
    never, when MAIL_SERVER is unset). The page does not call this directly but
    `request_password_reset_later`, so that its timing does not tell whether the account exists.
    """
    from app.mail.outbox import email_account

    user = find_user_by_email(email or "")
    if user is None or not user.is_active:
        return
    email_account(user, "password_reset")


JOB_PATH = "workers.accounts.send_password_reset"


def request_password_reset_later(email: str) -> None:
    """What the page calls: the same single enqueue whether or not an account uses the address.

    Looking the account up and writing the outbox row in the request took measurably longer
    for a known address (a timing oracle for account enumeration); a worker does it instead.
    """
    from app.mail.outbox import mail_enabled
    from app.outbox import enqueue_now

    if not mail_enabled():
        log.warning("password-reset request dropped: MAIL_SERVER is not set")
        return
    if not enqueue_now("notifications", JOB_PATH, normalise_email(email or "")[:254]):
        log.error("password-reset request lost: Redis is unreachable")  # the person can ask again


def set_password(user: User, password: str) -> None:
    """Set a new password (argon2id); every outstanding reset link for this user stops working.

    A compare-and-swap on the hash the caller loaded, so two requests racing with one link
    cannot both succeed: the loser gets a ValidationError on the field "token".
    """
    if password is None or len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"Use at least {MIN_PASSWORD_LENGTH} characters.", field="password")
    old, new = user.password_hash, hash_password(password)
    same = User.password_hash.is_(None) if old is None else User.password_hash == old
    result = db.session.execute(update(User).where(User.id == user.id, same)
                                .values(password_hash=new, email_verified=True),  # the emailed link proves it
                                execution_options={"synchronize_session": False})
    if result.rowcount != 1:
        raise ValidationError("This link was already used.", field="token")
    set_committed_value(user, "password_hash", new)
    set_committed_value(user, "email_verified", True)


def absolute_url(endpoint: str, **values) -> str:
    """A link for an email, from MAIL_PORTAL_URL (or SERVER_NAME): never from a request's Host header."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    config = current_app.config
    base = (config.get("MAIL_PORTAL_URL") or "").rstrip("/")
    if not base and config.get("SERVER_NAME"):
        base = f"{config.get('PREFERRED_URL_SCHEME') or 'https'}://{config['SERVER_NAME']}"
    if not base:
        log.warning("MAIL_PORTAL_URL is not set: account emails carry a relative link")
    return base + path


def reset_url(token: str) -> str:
    return absolute_url("auth.reset_password", token=token)


def account_email_context(row) -> dict:
    """Send-time context for an account email (see app.mail.compose.build): the link is made here."""
    user_id = (row.context or {}).get("user_id")
    user = db.session.get(User, user_id) if type(user_id) is int else None
    if row.template == "confirm_email":
        from app.auth.confirm import confirmation_context

        return confirmation_context(user)
    if row.template != "password_reset":
        return {}
    context = {"request_url": absolute_url("auth.forgot_password"), "reset_url": None,
               "max_age_hours": max(1, current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600)}
    if user is not None and user.is_active:  # disabled since the request: no working link
        context.update(reset_url=reset_url(reset_token_for(user)), name=user.name)
    return context
