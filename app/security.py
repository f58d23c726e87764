"""Cross-cutting web security: response headers, safe redirects and role checks."""
from __future__ import annotations

import re
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, request
from flask_login import current_user

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f\s]")


def set_security_headers(response):
    """Applied to every response: HTML, JSON and files alike."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def safe_next_url(target: str | None) -> str | None:
    """Return `target` only if it is a path on this site, else None.

    Browsers ignore tabs/newlines and treat backslashes as slashes, so those are
    normalised away before the check (the `/%09/evil.com` and `/\\evil.com` tricks).
    """
    if not target:
        return None
    cleaned = _CONTROL_CHARS.sub("", target).replace("\\", "/")
    if not cleaned.startswith("/") or cleaned.startswith("//"):
        return None
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return None
    return cleaned


def role_required(*roles: str):
    """View decorator: 404 for anonymous/other roles, so nothing about the page leaks."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if current_user.role not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


agent_required = role_required("agent", "admin")
admin_required = role_required("admin")
customer_required = role_required("customer")


def is_http_url(value: str | None) -> bool:
    """Only http(s) links become clickable; `javascript:` and friends stay text."""
    if not value:
        return False
    cleaned = _CONTROL_CHARS.sub("", value)
    return urlsplit(cleaned).scheme.lower() in ("http", "https") and cleaned == value.strip()


def is_row_id(text: str) -> bool:
    """ASCII digits that fit a 64-bit key (str.isdigit also accepts '²' and any length)."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def row_int(text: str) -> int:
    """`type=` for query-string ids and page numbers: ASCII digits that fit a 64-bit key.

    Anything else raises ValueError, so `request.args.get(..., type=row_int)` falls back
    to its default instead of sending a 30-digit number on to the database.
    """
    if not is_row_id(text):
        raise ValueError("not a row number")
    return int(text)
