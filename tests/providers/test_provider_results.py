"""Lenient parsing of what providers really send (reference §2.4, §2.5, §2.8)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from app.providers.errors import OrderNotFound, ProviderAuthError, ProviderRejected, rejected_for
from app.providers.results import (
    ItemError, item_error, normalize_status, parse_cancel_flag, parse_order_status, to_decimal, to_int,
)


@pytest.mark.parametrize("raw, canonical", [
    ("Canceled", "Canceled"), ("Cancelled", "Canceled"), ("cancel", "Canceled"), ("CANCELED", "Canceled"),
    ("In progress", "In progress"), ("in_progress", "In progress"), ("inprogress", "In progress"),
    ("Active", "In progress"), ("pending", "Pending"), ("Refunded", "Refunded"), ("fail", "Failed"),
    (" Partial ", "Partial"), ("Rejected", "Rejected"), ("Teleported", "Teleported"),
])
def test_status_spellings(raw, canonical):
    assert normalize_status(raw) == canonical


@pytest.mark.parametrize("value, expected", [
    ("157", 157), (157, 157), ("157.0", 157), ("-12", -12), ("Unknown", None), ("", None),
    (None, None), (True, None), ("1.5", None),
])
def test_counts(value, expected):
    assert to_int(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("0.27819", Decimal("0.27819")), (0.1, Decimal("0.1")), (3, Decimal(3)), ("NaN", None),
    ("abc", None), (None, None), ("0,27", None),
])
def test_money(value, expected):
    assert to_decimal(value) == expected


def test_numeric_status_answer_parses_like_the_string_one():
    as_strings = {"charge": "0.27819", "start_count": "3572", "status": "Partial", "remains": "157",
                  "currency": "USD"}
    as_numbers = {"charge": 0.27819, "start_count": 3572, "status": "partial", "remains": 157, "currency": "USD"}
    a, b = parse_order_status(1, as_strings), parse_order_status(1, as_numbers)
    assert (a.charge, a.start_count, a.remains, a.status) == (b.charge, b.start_count, b.remains, b.status)


def test_item_errors_object_and_bare_string():
    assert item_error(10, {"error": "Incorrect order ID"}) == ItemError("10", "Incorrect order ID")
    assert item_error(10, "Incorrect order ID") == ItemError("10", "Incorrect order ID")
    assert item_error(10, "Completed", whole_item=False) is None
    assert item_error(10, {"status": "Completed"}) is None


def test_cancel_flags():
    assert all(parse_cancel_flag(v) for v in (1, "1", True, "ok", "success", "requested"))
    assert not any(parse_cancel_flag(v) for v in (0, "0", False, ""))


def test_rejection_classes():
    assert rejected_for("Invalid API key") is ProviderAuthError
    assert rejected_for("Incorrect order ID") is OrderNotFound
    assert rejected_for("Not enough funds on balance") is ProviderRejected
