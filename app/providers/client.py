"""Client for the standard SMM panel API v2 (PerfectPanel/JAP dialect).

Turns each action into one POST (see ``transport.py``) and each answer into
typed frozen dataclasses (``results.py``). The rules that matter (reference
§2.7): HTTP 200 says nothing about success; a call failed when the top-level
answer is ``{"error": ...}``; batch items fail one by one, so batch methods
return ``{id: result | ItemError}`` and never raise for a single bad item.

No retries happen here: whether a failed ``add``/``refill``/``cancel`` may be
repeated depends on ``ProviderError.outcome_unknown`` and is the worker's call.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import requests

from app.providers import results as r
from app.providers.errors import ProviderBadResponse, TooManyIds
from app.providers.transport import DEFAULT_MAX_BYTES, USER_AGENT, Transport

MAX_BATCH = 100


def chunked(ids: Iterable[int | str], size: int = MAX_BATCH) -> Iterator[list]:
    """Split IDs into batches the API accepts (poll in chunks of 100, never one by one)."""
    batch: list = []
    for item in ids:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class SmmV2Client:
    """One provider account. Cheap to build; use one per thread/job (requests sessions aren't shared)."""

    def __init__(
        self,
        api_url: str,
        key: str,
        *,
        name: str = "provider",
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        session: requests.Session | None = None,
        user_agent: str = USER_AGENT,
    ) -> None:
        self._t = Transport(api_url, key, name=name, timeout=timeout, connect_timeout=connect_timeout,
                            max_bytes=max_bytes, session=session, user_agent=user_agent)

    @classmethod
    def from_provider(cls, provider: Any, **kwargs: Any) -> SmmV2Client:
        """Build from any object with ``api_url``, ``api_key`` and ``name`` (e.g. the Provider model)."""
        return cls(provider.api_url, provider.api_key, name=getattr(provider, "name", "provider"), **kwargs)

    name = property(lambda self: self._t.name)
    api_url = property(lambda self: self._t.api_url)
    timeout = property(lambda self: self._t.timeout)

    def __repr__(self) -> str:
        return f"SmmV2Client(name={self.name!r}, api_url={self._t.scrub(self.api_url.split('?')[0])!r})"

    def close(self) -> None:
        self._t.session.close()

    def __enter__(self) -> SmmV2Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- actions
    def services(self) -> list[r.Service]:
        body = self._t.call("services", {})
        if not isinstance(body, list):
            self._bad("services", "expected a JSON array")
        return [r.parse_service(item) for item in body if isinstance(item, dict) and "service" in item]

    def add(self, service: int, link: str | None = None, quantity: int | None = None, **extra: Any) -> int:
        """Place an order and return the provider's order ID. ``extra``: runs, interval, comments, ..."""
        body = self._single("add", "order", service=service, link=link, quantity=quantity, **extra)
        order = r.to_int(body["order"])
        if order is None:
            self._bad("add", "order ID is not a number")
        return order

    def status(self, order: int) -> r.OrderStatus:
        body = self._single("status", "status", order=int(order))
        return r.parse_order_status(int(order), body)

    def status_batch(self, orders: Iterable[int]) -> dict[int, r.OrderStatus | r.ItemError]:
        ids = _ids(orders)
        items = self._batch("status", "order", ids, orders=",".join(map(str, ids)))
        return {oid: _missing(oid, items.get(str(oid))) or r.item_error(oid, items[str(oid)])
                or r.parse_order_status(oid, items[str(oid)]) for oid in ids}

    def refill(self, order: int) -> r.RefillResult:
        body = self._single("refill", "refill", order=int(order))
        return r.RefillResult(order=int(order), refill=self._refill_id(body["refill"]))

    def refill_batch(self, orders: Iterable[int]) -> dict[int, r.RefillResult | r.ItemError]:
        ids = _ids(orders)
        items = self._batch("refill", "order", ids, orders=",".join(map(str, ids)))
        out: dict[int, r.RefillResult | r.ItemError] = {}
        for oid in ids:
            inner, err = _unwrap(oid, items.get(str(oid)), "refill")
            out[oid] = err or r.RefillResult(order=oid, refill=self._refill_id(inner))
        return out

    def refill_status(self, refill: int | str) -> r.RefillStatus:
        body = self._single("refill_status", "status", refill=refill)
        return r.parse_refill_status(str(refill), body["status"])

    def refill_status_batch(self, refills: Iterable[int | str]) -> dict[str, r.RefillStatus | r.ItemError]:
        ids = [str(i) for i in _ids(refills)]
        items = self._batch("refill_status", "refill", ids, refills=",".join(ids))
        out: dict[str, r.RefillStatus | r.ItemError] = {}
        for rid in ids:
            inner, err = _unwrap(rid, items.get(rid), "status")
            out[rid] = err or r.parse_refill_status(rid, inner)
        return out

    def cancel(self, orders: Iterable[int]) -> dict[int, r.CancelResult | r.ItemError]:
        """Ask to cancel (batch only, as in the reference). Acceptance is a request, not a cancellation."""
        ids = _ids(orders)
        items = self._batch("cancel", "order", ids, orders=",".join(map(str, ids)))
        out: dict[int, r.CancelResult | r.ItemError] = {}
        for oid in ids:
            inner, err = _unwrap(oid, items.get(str(oid)), "cancel")
            out[oid] = err or r.CancelResult(order=oid, accepted=r.parse_cancel_flag(inner))
        return out

    def balance(self) -> r.Balance:
        body = self._single("balance", "balance")
        amount = r.to_decimal(body["balance"])
        if amount is None:
            self._bad("balance", "balance is not a number")
        return r.Balance(balance=amount, currency=str(body.get("currency") or ""))

    # ------------------------------------------------------------ answer shapes
    def _single(self, action: str, success_key: str, **params: Any) -> dict:
        """Return the answer object; raise on a top-level (or C3-style nested) ``error``."""
        body = self._t.call(action, params)
        if not isinstance(body, dict):
            self._bad(action, "expected a JSON object")
        inner = body.get(success_key)
        if isinstance(inner, dict) and "error" in inner:
            self._t.reject(action, inner["error"])
        if inner is None:
            if "error" in body:
                self._t.reject(action, body["error"])
            self._bad(action, f"no {success_key!r} in the answer")
        return body

    def _batch(self, action: str, id_field: str, ids: list, **params: Any) -> dict[str, Any]:
        """Return ``{id string: item}`` whether the provider keyed an object by ID or sent a list."""
        if not ids:
            return {}
        body = self._t.call(action, params)
        if isinstance(body, dict):
            if "error" in body and not {str(i) for i in ids} & body.keys():
                self._t.reject(action, body["error"])
            return {str(k).strip(): v for k, v in body.items()}
        if isinstance(body, list):
            return {str(item[id_field]): item for item in body if isinstance(item, dict) and id_field in item}
        self._bad(action, "expected a JSON object or array")

    def _refill_id(self, value: Any) -> str:
        refill = r.to_int(value)
        if refill is None:
            self._bad("refill", "refill ID is not a number")
        return str(refill)

    def _bad(self, action: str, message: str) -> None:
        raise ProviderBadResponse(message, provider=self.name, action=action)


def _ids(ids: Iterable[int | str]) -> list[int]:
    """Deduplicate (order kept) and enforce the 100-ID limit before anything is sent."""
    unique = list(dict.fromkeys(int(i) for i in ids))
    if len(unique) > MAX_BATCH:
        raise TooManyIds(f"{len(unique)} IDs in one call; the API allows {MAX_BATCH} (use chunked())")
    return unique


def _missing(item_id: object, value: object) -> r.ItemError | None:
    return r.ItemError(str(item_id), "missing from provider answer") if value is None else None


def _unwrap(item_id: object, value: object, field: str) -> tuple[Any, r.ItemError | None]:
    """Split a list-batch item such as ``{"order": 3, "refill": {"error": ...}}`` into value or error."""
    err = _missing(item_id, value) or r.item_error(item_id, value)
    if err:
        return None, err
    inner = value.get(field)
    err = _missing(item_id, inner) or r.item_error(item_id, inner, whole_item=False)
    return (None, err) if err else (inner, None)
