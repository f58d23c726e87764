"""Typed field readers for contract JSON, with error messages a person can act on.

Kept apart from case.py so the dataclasses stay readable. Every reader names the field by its dotted
path (`order.charge`) because that is what the sender sees in their own JSON.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal

from app.policy.errors import CaseError

# Money is a plain decimal string: no sign, no exponent, no NaN. Floats are refused because they
# cannot carry amounts like 0.27819 exactly.
_MONEY = re.compile(r"\d+(\.\d+)?")
_MISSING = object()


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float, Decimal)):
        return f"the number {value}"
    if isinstance(value, str):
        return f'the string "{value[:40]}"'
    if isinstance(value, list):
        return "a list"
    return "an object"


class Fields:
    """Reads the fields of one JSON object; `where` is the dotted path used in messages."""

    def __init__(self, data: object, where: str, prefix: str = ""):
        if not isinstance(data, dict):
            raise CaseError(f"{where} must be a JSON object, got {_describe(data)}")
        self.data = data
        self.prefix = prefix

    def _get(self, key: str, required: bool = True) -> object:
        value = self.data.get(key, _MISSING)
        if value is _MISSING and required:
            raise CaseError(f"{self.prefix}{key} is missing")
        return value

    def _fail(self, key: str, expected: str, value: object) -> CaseError:
        return CaseError(f"{self.prefix}{key} must be {expected}, got {_describe(value)}")

    def string(self, key: str, allow_empty: bool = False) -> str:
        value = self._get(key)
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            raise self._fail(key, "a non-empty string", value)
        return value

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self._get(key)
        if value not in allowed:
            raise self._fail(key, "one of " + ", ".join(allowed), value)
        return value  # type: ignore[return-value]

    def boolean(self, key: str) -> bool:
        value = self._get(key)
        if not isinstance(value, bool):
            raise self._fail(key, "true or false", value)
        return value

    def integer(self, key: str, minimum: int | None = None) -> int:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, "an integer", value)
        if minimum is not None and value < minimum:
            raise self._fail(key, f"an integer of at least {minimum}", value)
        return value

    def money(self, key: str) -> Decimal:
        value = self._get(key)
        if not isinstance(value, str) or not _MONEY.fullmatch(value):
            raise self._fail(key, 'a decimal string such as "0.27819" (no sign, no exponent)', value)
        return Decimal(value)

    def time(self, key: str) -> datetime:
        value = self._get(key)
        parsed = parse_time(value) if isinstance(value, str) else None
        if parsed is None:
            raise self._fail(key, 'an ISO-8601 UTC time such as "2026-05-02T09:00:00Z"', value)
        return parsed

    def object(self, key: str, nullable: bool = False, required: bool = True) -> Fields | None:
        value = self._get(key, required)
        if value is _MISSING or (value is None and nullable):
            return None
        if not isinstance(value, dict):
            raise self._fail(key, "a JSON object" + (" or null" if nullable else ""), value)
        return Fields(value, self.prefix + key, prefix=f"{self.prefix}{key}.")


def parse_time(text: str) -> datetime | None:
    """An aware UTC datetime from ISO-8601, or None. A time without offset is taken as UTC (DB rows)."""
    if not re.match(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)
