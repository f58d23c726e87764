"""Accounts: sign-up, password checks and API tokens. No request objects in here."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select

from app.auth.models import ApiToken, Role, User
from app.db import utcnow
from app.errors import ValidationError
from app.extensions import db
from app.security import is_row_id

# argon2id with the RFC 9106 low-memory profile (64 MiB, t=3), above OWASP's minimum.
_hasher = PasswordHasher()
# Verifying against this when the account is unknown keeps timing equal either way.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
MIN_PASSWORD_LENGTH = 10


def normalise_email(email: str) -> str:
    return email.strip().lower()


def load_user(session_id: str) -> User | None:
    """The session's user, if still active and still on the password the session began with."""
    user_id, _, fingerprint = session_id.partition(":")
    if not is_row_id(user_id):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(fingerprint.encode(), user.session_fingerprint().encode()):
        return None  # the password changed since this session began
    return user


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(email: str, password: str | None, name: str, role: Role = Role.CUSTOMER, *,
                email_verified: bool = False) -> User:
    """A new account. `email_verified` only when the address is known to be the person's."""
    email = normalise_email(email)
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"Use at least {MIN_PASSWORD_LENGTH} characters.", field="password")
    # Hash before looking the address up, so a taken address answers no faster than a new one.
    password_hash = hash_password(password) if password else None
    if find_user_by_email(email):
        raise ValidationError("An account with this email already exists.", field="email")
    user = User(
        email=email,
        name=name.strip() or email.split("@")[0],
        role=role.value,
        password_hash=password_hash,
        email_verified=email_verified,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; the same work is done when the email is unknown."""
    user = find_user_by_email(email)
    stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or not user.password_hash or not user.is_active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(user: User, label: str = "cli") -> str:
    """Create a token and return it; only its digest is kept."""
    token = "desk_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=_token_digest(token), label=label))
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    if not token or not token.startswith("desk_"):
        return None
    api_token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(token)))
    if api_token is None or not api_token.user.is_active:
        return None
    return api_token.user


def count_users() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0
