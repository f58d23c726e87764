"""People who use the desk, and the API tokens they hold."""
from __future__ import annotations

import enum
import hashlib
import hmac
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, utcnow
from app.extensions import db


class Role(str, enum.Enum):
    CUSTOMER = "customer"
    AGENT = "agent"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.CUSTOMER.value, index=True)
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    # Proven to own the address (a link we emailed was used, or staff created the account).
    # Inbound email joins a password-holding account only once this is true.
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    # Policy flags: a suspended account, or a chargeback/dispute filed outside the desk
    is_suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    has_chargeback: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def get_id(self) -> str:
        """What the session cookie holds: the id and a fingerprint of the password hash.

        Changing the password changes the fingerprint, which ends every other session and
        remember-me cookie of the account (after a reset, a stolen session stops working).
        """
        return f"{self.id}:{self.session_fingerprint()}"

    def session_fingerprint(self) -> str:
        key = current_app.config["SECRET_KEY"].encode() + b"\x00desk.session"
        return hmac.new(key, (self.password_hash or "").encode(), hashlib.sha256).hexdigest()[:16]

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_active_account

    @property
    def is_agent(self) -> bool:
        return self.role in (Role.AGENT.value, Role.ADMIN.value)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored, so a database leak reveals no token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(80), default="cli")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="tokens")

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} user={self.user_id}>"
