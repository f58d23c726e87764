"""Property tests: on ANY well-formed case the engine answers, and never moves more money than is left.

Cases are generated as contract JSON and go through parse_case, so they are well-formed by definition;
statuses include the contract's, their spelling variants and arbitrary unknown strings.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.policy import KINDS, REASONS, STATUSES, CaseError, decide, load_policy, parse_case

POLICIES = {name: load_policy(name) for name in ("mysticsmm", "smm-panel-bot", "smm-trust-panel", "smmatic")}
EPOCH = datetime(2023, 6, 1, tzinfo=timezone.utc)

times = st.integers(min_value=0, max_value=4 * 365 * 24 * 3600).map(
    lambda s: (EPOCH + timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%SZ"))
money = st.one_of(
    st.decimals(min_value=0, max_value=10_000, places=5, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=5, places=8, allow_nan=False, allow_infinity=False),
).map(lambda d: format(d, "f"))
statuses = st.one_of(
    st.sampled_from(STATUSES),
    st.sampled_from(STATUSES).map(str.upper),
    st.sampled_from(["Cancelled", "cancelled", "in_progress", "inprogress", "Active", "Unknown", ""]),
    st.text(min_size=1, max_size=12),
)


@st.composite
def orders(draw):
    quantity = draw(st.integers(min_value=1, max_value=1_000_000))
    return {
        "id": draw(st.text(min_size=1, max_size=10).filter(str.strip)),
        "status": draw(statuses.filter(str.strip)),
        "charge": draw(money), "currency": draw(st.sampled_from(["USD", "INR", "EUR"])),
        "quantity": quantity,
        "remains": draw(st.integers(min_value=-quantity, max_value=2 * quantity)),
        "start_count": draw(st.integers(min_value=0, max_value=10**7)),
        "created_at": draw(times), "status_changed_at": draw(times),
        "refunded": draw(money), "link": draw(st.text(max_size=20)),
        "overlapping_orders": draw(st.integers(min_value=0, max_value=5)),
        "service": {"refill": draw(st.booleans()), "refill_days": draw(st.integers(0, 400)),
                    "cancel": draw(st.booleans())},
    }


@st.composite
def cases(draw):
    data = {
        "case": draw(st.text(min_size=1, max_size=8).filter(str.strip)),
        "now": draw(times),
        "kind": draw(st.sampled_from(KINDS)), "reason": draw(st.sampled_from(REASONS)),
        "customer": {"suspended": draw(st.booleans()), "chargeback": draw(st.booleans())},
        "order": draw(st.one_of(st.none(), orders())),
    }
    if draw(st.booleans()):
        data["payment"] = {"amount": draw(money), "created_at": draw(times)}
    return data


@settings(max_examples=400, deadline=None)
@given(data=cases(), policy_name=st.sampled_from(sorted(POLICIES)))
def test_engine_answers_every_well_formed_case_within_bounds(data, policy_name):
    policy = POLICIES[policy_name]
    verdict = decide(parse_case(data), policy)
    out = verdict.to_json()
    assert set(out) == {"case", "decision", "amount", "clauses", "explanation"}
    assert out["decision"] in ("credit", "cancel", "refill", "deny", "review")
    json.dumps(out)  # serialisable as is
    if out["decision"] in ("credit", "cancel"):
        amount = Decimal(out["amount"])
        order = data["order"]
        assert Decimal(0) < amount <= Decimal(order["charge"]) - Decimal(order["refunded"])
        assert amount == verdict.amount
        assert -amount.as_tuple().exponent in range(2, 6)  # 2 to 5 decimal places
    else:
        assert out["amount"] is None and verdict.amount is None
    if out["decision"] == "deny":
        assert out["clauses"]
    assert all(c in policy.clauses for c in out["clauses"])
    assert out["explanation"].strip() and "{" not in out["explanation"]
    assert out["case"] == data["case"]


@settings(max_examples=200, deadline=None)
@given(data=cases())
def test_unknown_status_always_goes_to_review(data):
    if data["order"] is None:
        return
    data["order"]["status"] = "zz-" + data["order"]["status"]
    for policy in POLICIES.values():
        assert decide(parse_case(data), policy).decision == "review"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(data=st.one_of(json_values, cases().flatmap(
    lambda c: st.sampled_from(sorted(c)).map(lambda k: {**c, k: None if k != "order" else 5}))))
def test_parse_case_raises_only_case_error(data):
    try:
        parse_case(data)
    except CaseError as exc:
        assert str(exc)


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_every_version_of_every_policy_is_reachable(name):
    policy = POLICIES[name]
    for version in policy.versions:
        assert policy.version_for(version.effective) is version
