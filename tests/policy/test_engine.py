"""Engine pieces: money rule, case parsing, hand-built Cases (as the desk builds them from rows), versions."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from app.policy import (Case, CaseError, Customer, Order, Payment, Service, Verdict, decide,
                        load_policy, parse_case)
from app.policy.money import format_amount, pro_rata, settle
from tests.policy.support import make_case


@pytest.mark.parametrize(("due", "charge", "refunded", "expected"), [
    ("0.6", "3.00", "0", "0.60"),
    ("0.04367583", "0.27819", "0", "0.04367"),        # cut down, never rounded up
    ("0.27819", "0.27819", "0", "0.27819"),
    ("5", "3.00", "0", "3.00"),                       # never more than the charge
    ("3", "3.00", "2.999999", "0.00"),                # what is left is cut to 5 places
    ("3", "3.00", "4.00", "0.00"),                    # over-refunded data never goes negative
    ("1", "1", "0", "1.00"),
])
def test_settle_caps_and_cuts(due, charge, refunded, expected):
    amount = settle(Decimal(due), Decimal(charge), Decimal(refunded))
    assert str(amount) == expected == format_amount(amount)
    assert amount <= max(Decimal(0), Decimal(charge) - Decimal(refunded))


@pytest.mark.parametrize(("remains", "units"), [(-5, 0), (0, 0), (100, 100), (500, 500), (900, 500)])
def test_pro_rata_clamps_remains(remains, units):
    assert pro_rata(Decimal("3.00"), 500, remains) == Decimal("3.00") * units / 500


def test_parse_case_builds_frozen_dataclasses():
    case = parse_case(make_case(payment={"amount": "1.50", "created_at": "2026-05-01T00:00:00+02:00"}))
    assert case.order.charge == Decimal("3.00") and isinstance(case.order.charge, Decimal)
    assert case.payment.created_at == datetime(2026, 4, 30, 22, tzinfo=timezone.utc)
    assert case.order.service == Service(refill=False, refill_days=0, cancel=False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        case.kind = "cancel"  # type: ignore[misc]


def test_parse_case_rejects_float_money_in_words():
    with pytest.raises(CaseError, match=r"order.charge must be a decimal string .* got the number 3.0"):
        parse_case(make_case(order={"charge": 3.0}))


def test_a_case_built_from_db_rows_is_decided():
    """Naive UTC datetimes and float-ish numbers from rows are normalised, not a crash."""
    case = Case(
        case_id="row-7", now=datetime(2026, 5, 2, 9), kind="refund", reason="partial_delivery",
        customer=Customer(),
        order=Order(id="SMM7", status="partial", charge="3.00", quantity=500, remains=100,
                    created_at=datetime(2026, 4, 28, 9), status_changed_at=datetime(2026, 4, 29, 9)),
    )
    verdict = decide(case, load_policy("mysticsmm"))
    assert (verdict.decision, verdict.amount, verdict.clauses) == ("credit", Decimal("0.60"), ("2",))
    assert (verdict.policy, verdict.policy_version, verdict.rule) == ("mysticsmm", "2026-03", "partial")
    assert isinstance(verdict, Verdict) and verdict.to_json()["amount"] == "0.60"


def test_payment_ticket_without_order_is_judged_by_payment_date():
    case = Case(case_id="p", now=datetime(2026, 5, 2, tzinfo=timezone.utc), kind="payment",
                reason="duplicate_charge",
                payment=Payment(amount=Decimal("10"), created_at=datetime(2026, 5, 1, tzinfo=timezone.utc)))
    verdict = decide(case, load_policy("mysticsmm"))
    assert (verdict.decision, verdict.clauses) == ("review", ("6",))


def test_version_for_picks_the_version_in_force_when_placed():
    policy = load_policy("smm-panel-bot")
    at = lambda *a: datetime(*a, tzinfo=timezone.utc)  # noqa: E731
    assert policy.version_for(at(2024, 5, 31)) is None
    assert policy.version_for(at(2024, 6, 1)).id == "2024-06"
    assert policy.version_for(at(2025, 12, 31, 23, 59)).id == "2024-06"
    assert policy.version_for(at(2026, 1, 1)).id == "2026-01"
    assert policy.latest.id == "2026-01"


def test_verdict_records_the_version_used():
    old = parse_case(make_case(order={"status": "Partial", "remains": 100, "created_at": "2025-03-01T00:00:00Z"}))
    verdict = decide(old, load_policy("smm-panel-bot"))
    assert (verdict.decision, verdict.policy_version, verdict.rule) == ("review", "2024-06", "partial-manual")


def test_clause_text_unknown_clause_raises_key_error():
    with pytest.raises(KeyError):
        load_policy("mysticsmm").clause_text("99")
