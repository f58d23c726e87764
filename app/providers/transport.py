"""The HTTP leg of a provider call: one capped, timed POST turned into JSON or a ProviderError.

Kept apart from the API semantics in ``client.py`` so that the dangerous part
(secrets, timeouts, size caps, redirects, mapping transport failures to
"outcome unknown") is small and reviewed on its own.
"""
from __future__ import annotations

import json
import logging
import time
from typing import Any

import requests
from urllib3.exceptions import NewConnectionError

from app.providers.errors import (
    ProviderBadResponse, ProviderError, ProviderRejected, ProviderTimeout, ProviderUnavailable, rejected_for,
)

log = logging.getLogger("app.providers.client")

DEFAULT_MAX_BYTES = 1_000_000
USER_AGENT = "smm-desk/0.1 (+provider client)"


class Secret:
    """Holds the API key so that no repr/vars()/traceback dump can show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "'***'"

    __str__ = __repr__


class Transport:
    """POSTs ``key`` + ``action`` (+ params) to one API URL; never retries, never follows redirects."""

    def __init__(self, api_url: str, key: str, *, name: str, timeout: float, connect_timeout: float,
                 max_bytes: int, session: requests.Session | None, user_agent: str) -> None:
        if not key:
            raise ValueError("an API key is required")
        self.api_url = api_url
        self.name = name
        self.timeout = float(timeout)
        self.connect_timeout = min(float(connect_timeout), self.timeout)
        self.max_bytes = int(max_bytes)
        self.user_agent = user_agent
        self._key = Secret(key)
        self.session = session or requests.Session()

    def call(self, action: str, params: dict[str, Any]) -> Any:
        """Return the decoded JSON answer; every failure becomes a ProviderError (logged, key-free)."""
        form = {"key": self._key.reveal(), "action": action}
        form.update({k: str(v) for k, v in params.items() if v is not None})
        started = time.monotonic()
        try:
            status_code, raw = self._post(action, form, started + self.timeout)
            body = self._decode(action, status_code, raw)
        except ProviderRejected as exc:  # an answer, not an outage: no alert-level noise
            log.info("provider refused: %s (%.0f ms)", exc, _ms(started))
            raise
        except ProviderError as exc:
            log.warning("provider call failed: %s (%.0f ms)", exc, _ms(started))
            raise
        log.debug("provider %s action=%s http=%s %.0f ms", self.name, action, status_code, _ms(started))
        return body

    def reject(self, action: str, message: Any, status_code: int | None = None) -> None:
        """Raise the ProviderRejected subclass that fits the provider's error text."""
        text = self.scrub(str(message))[:300]
        raise rejected_for(text)(text, provider=self.name, action=action, status_code=status_code)

    def scrub(self, text: str) -> str:
        key = self._key.reveal()
        return text.replace(key, "***") if key else text

    def _post(self, action: str, form: dict, deadline: float) -> tuple[int, bytes]:
        """Send the form. Errors are raised *after* the ``except`` block on purpose: the
        requests exception holds the request body (with the key) and must not even be
        reachable as ``__context__`` of what we raise."""
        where = {"provider": self.name, "action": action}
        try:
            resp = self.session.post(
                self.api_url, data=form, stream=True, allow_redirects=False,
                timeout=(self.connect_timeout, self.timeout),
                headers={"User-Agent": self.user_agent, "Accept": "application/json"},
            )
        except requests.RequestException as exc:
            error: ProviderError = _send_error(exc, self.timeout, where)
        else:
            with resp:
                status_code, raw, error = resp.status_code, *self._read_capped(resp, deadline, where)
            if error is None:
                return status_code, raw
        raise error

    def _read_capped(self, resp: requests.Response, deadline: float,
                     where: dict) -> tuple[bytes, ProviderError | None]:
        """Read at most ``max_bytes`` and no longer than the deadline (a slow drip is a timeout)."""
        declared = resp.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            return b"", ProviderBadResponse(f"answer too large ({declared} bytes)",
                                            status_code=resp.status_code, **where)
        chunks, size = [], 0
        try:
            for chunk in resp.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.max_bytes:
                    return b"", ProviderBadResponse(f"answer larger than {self.max_bytes} bytes",
                                                    status_code=resp.status_code, **where)
                if time.monotonic() > deadline:
                    return b"", ProviderTimeout(f"answer not complete within {self.timeout:g}s", **where)
                chunks.append(chunk)
        except requests.RequestException as exc:
            cls = ProviderTimeout if "timed out" in str(exc).lower() else ProviderUnavailable
            return b"", cls("connection lost while reading the answer", **where)
        return b"".join(chunks), None

    def _decode(self, action: str, status_code: int, raw: bytes) -> Any:
        """Apply reference §2.7: 5xx/429 transient, JSON ``error`` (even on 4xx) is a rejection."""
        where = {"provider": self.name, "action": action, "status_code": status_code}
        if 300 <= status_code < 400:
            raise ProviderBadResponse(f"unexpected redirect (HTTP {status_code})", **where)
        if status_code == 429:
            raise ProviderUnavailable("rate limited (HTTP 429)", outcome_unknown=False, **where)
        if status_code >= 500:
            raise ProviderUnavailable(f"HTTP {status_code}", **where)
        body = _json_or_missing(raw)
        if body is _NOT_JSON:
            raise ProviderBadResponse(f"HTTP {status_code}, body is not JSON: {self._snippet(raw)}", **where)
        if status_code >= 400:
            if isinstance(body, dict) and "error" in body:
                self.reject(action, body["error"], status_code)
            raise ProviderBadResponse(f"HTTP {status_code}: {self._snippet(raw)}", **where)
        return body

    def _snippet(self, raw: bytes) -> str:
        text = raw[:120].decode("utf-8", errors="replace")
        return repr(self.scrub("".join(ch if ch.isprintable() else " " for ch in text)))


_NOT_JSON = object()


def _json_or_missing(raw: bytes) -> Any:
    """Decode whatever the Content-Type claims (panels send JSON as text/html)."""
    try:
        return json.loads(raw.decode("utf-8-sig", errors="replace"))
    except ValueError:
        return _NOT_JSON


def _send_error(exc: requests.RequestException, timeout: float, where: dict) -> ProviderError:
    """Map a requests failure to our tree; only a failed connect proves nothing was sent."""
    if isinstance(exc, requests.ConnectTimeout):
        return ProviderTimeout("connect timed out", outcome_unknown=False, **where)
    if isinstance(exc, requests.ReadTimeout):
        return ProviderTimeout(f"no answer within {timeout:g}s", **where)
    if isinstance(exc, requests.ConnectionError):
        sent = not _connect_failed(exc)
        msg = "connection lost before an answer" if sent else "cannot connect"
        return ProviderUnavailable(msg, outcome_unknown=sent, **where)
    return ProviderUnavailable(f"request failed ({type(exc).__name__})", **where)


def _connect_failed(exc: requests.ConnectionError) -> bool:
    """True when the TCP connection never opened, so the request was certainly not sent."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


def _ms(started: float) -> float:
    return (time.monotonic() - started) * 1000
