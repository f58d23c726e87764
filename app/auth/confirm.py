"""Confirming that a web sign-up owns its email address.

Anyone can sign up with any address, so until the owner uses the link we email, inbound
mail from that address does not join the account (app.intake quarantines it). The token is
signed and timestamped (itsdangerous, its own salt) and names the user and the address, so
it stops working if the address changes; confirming twice is harmless.
"""
from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from app.auth.models import User
from app.extensions import db
from app.outbox import enqueue_after_commit

_SALT = "desk.auth.confirm-email"
MAX_TOKEN_LENGTH = 512
JOB_PATH = "workers.accounts.send_confirmation"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT,
                                  signer_kwargs={"digest_method": hashlib.sha256})


def confirmation_token_for(user: User) -> str:
    return _serializer().dumps([user.id, user.email])


def user_for_confirmation_token(token: str | None) -> User | None:
    """The active user the token was made for, while their address is still the one it names."""
    if not token or not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        payload = _serializer().loads(token, max_age=current_app.config["CONFIRM_EMAIL_MAX_AGE"])
    except BadData:
        return None
    if not (isinstance(payload, list) and len(payload) == 2 and type(payload[0]) is int):
        return None
    user = db.session.get(User, payload[0])
    if user is None or not user.is_active or user.email != payload[1]:
        return None
    return user


def confirm_email(user: User) -> None:
    user.email_verified = True


def send_confirmation_after_commit(user: User) -> None:
    """Queue the confirmation email for a new or unconfirmed account once this transaction commits."""
    enqueue_after_commit("notifications", JOB_PATH, user.id)


def send_confirmation(user_id: int) -> None:
    """Worker side: write the email to the outbox (sent by its own job after commit)."""
    from app.mail.outbox import email_account

    user = db.session.get(User, user_id)
    if user is not None and user.is_active and not user.email_verified:
        email_account(user, "confirm_email")


def confirmation_context(user: User | None) -> dict:
    from app.auth.reset import absolute_url

    if user is None or not user.is_active or user.email_verified:
        return {"confirm_url": None}
    token = confirmation_token_for(user)
    return {"confirm_url": absolute_url("auth.confirm_email", token=token), "name": user.name,
            "max_age_days": max(1, current_app.config["CONFIRM_EMAIL_MAX_AGE"] // 86400)}
