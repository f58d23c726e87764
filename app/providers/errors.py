"""Typed failures of a provider call.

Workers decide what to do from the *type* alone, so the tree is organised by
what the caller may safely do next:

* ``ProviderUnavailable`` (and its ``ProviderTimeout``): the provider could not
  be reached or did not answer properly. ``outcome_unknown`` says whether the
  request may already have taken effect (sent, then timed out / reset / 5xx):
  for ``add``/``refill``/``cancel`` such a call must be reconciled with
  ``status``/``refill_status`` before any retry, because API v2 has no
  idempotency key.
* ``ProviderRejected``: the provider answered with ``{"error": "..."}``. The
  request was understood and refused; retrying the same call will not help.
* ``ProviderBadResponse``: the provider answered, but with something we cannot
  trust (HTML, truncated JSON, an oversized body, an unexpected shape or a
  redirect). Treat like a transient fault with backoff, then needs-review.

No exception ever carries the API key: messages are built from the action, the
provider's display name and scrubbed text only, and the original transport
exception (whose request object holds the form body with the key) is not
chained.
"""
from __future__ import annotations


class ProviderError(Exception):
    """Base of every failure raised by the provider client."""

    #: True when the provider may have acted on the request although we got
    #: no usable answer (so a blind retry could double a refill or an order).
    outcome_unknown: bool = False

    def __init__(self, message: str, *, provider: str = "", action: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.action = action

    def __str__(self) -> str:
        where = " ".join(p for p in (self.provider, self.action) if p)
        return f"[{where}] {self.message}" if where else self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class ProviderUnavailable(ProviderError):
    """Connection refused/reset, DNS failure, HTTP 5xx or 429."""

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        action: str = "",
        outcome_unknown: bool = True,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message, provider=provider, action=action)
        self.outcome_unknown = outcome_unknown
        self.status_code = status_code


class ProviderTimeout(ProviderUnavailable):
    """No (complete) answer within the client's timeout."""


class ProviderRejected(ProviderError):
    """The provider answered ``{"error": "..."}`` (HTTP 200, or a 4xx with JSON)."""

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        action: str = "",
        status_code: int | None = None,
    ) -> None:
        super().__init__(message, provider=provider, action=action)
        self.status_code = status_code


class ProviderAuthError(ProviderRejected):
    """The provider refused our key (``Invalid API key``): an admin must fix it."""


class OrderNotFound(ProviderRejected):
    """``Incorrect order ID``: the provider does not know this order (for our key)."""


class ProviderBadResponse(ProviderError):
    """The provider answered with something that is not a usable API v2 answer."""

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        action: str = "",
        status_code: int | None = None,
    ) -> None:
        super().__init__(message, provider=provider, action=action)
        self.status_code = status_code


class TooManyIds(ValueError):
    """A batch call got more IDs than API v2 allows (100); nothing was sent.

    A ``ValueError`` rather than a ``ProviderError`` because it is a bug in the
    caller (it must chunk), not a provider condition to retry or review.
    """


def rejected_for(message: str) -> type[ProviderRejected]:
    """Pick the most specific ``ProviderRejected`` subclass for an error text."""
    low = message.lower()
    if "api key" in low or low in {"invalid key", "incorrect key", "wrong key"}:
        return ProviderAuthError
    if "incorrect order id" in low or "order not found" in low:
        return OrderNotFound
    return ProviderRejected
