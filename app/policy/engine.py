"""decide(case, policy): apply the first matching rule of the version in force, safely.

The engine holds no panel's rules. It only (1) picks the policy version for the order's date, (2) sends
cases it cannot judge — no version, unknown provider status — to review, (3) runs the version's rules
in order, first match wins, (4) computes money with the one helper in money.py, and (5) turns a money
decision that would credit nothing into a review, because "credit 0.00" is never what an agent wants.
It never raises on a well-formed Case: anything unexpected becomes a review.
"""
from __future__ import annotations

from decimal import Decimal

from app.policy.case import Case
from app.policy.facts import Facts, derive
from app.policy.model import Policy, PolicyVersion
from app.policy.money import ZERO, pro_rata, settle
from app.policy.rules import Rule
from app.policy.verdict import Verdict

# Engine guards: generic, contract-level reasons for review (no panel rule lives here).
_NO_VERSION = ("This order was placed before the earliest version of our policy that we hold, so a "
               "member of our team will review it by hand.")
_UNKNOWN_STATUS = ("Your order {order_id} shows a status we cannot judge automatically ('{status}'), "
                   "so a member of our team will review it.")
_NOTHING_LEFT = ("There is nothing left to credit for order {order_id} (it has already been refunded "
                 "or nothing is owed), so a member of our team will check it.")


def decide(case: Case, policy: Policy) -> Verdict:
    """The verdict for one case under one policy."""
    version = policy.version_for(_placed_at(case))
    if version is None:
        return _verdict(case, policy, None, "review", None, (), _NO_VERSION, "no-version")
    facts = derive(case)
    if case.order is not None and facts.status is None:
        return _verdict(case, policy, version, "review", None, (),
                        _render(_UNKNOWN_STATUS, case, None), "unknown-status")
    rule = _first_match(version, facts)
    if rule is None:
        fb = policy.fallback
        return _verdict(case, policy, version, "review", None, fb.clauses,
                        _render(fb.explain, case, None), "fallback")
    return _apply(rule, case, policy, version)


def _placed_at(case: Case):
    """An order is judged by the version in force when it was placed; a payment when it was made."""
    if case.order is not None:
        return case.order.created_at
    if case.payment is not None:
        return case.payment.created_at
    return case.now


def _first_match(version: PolicyVersion, facts: Facts) -> Rule | None:
    for rule in version.rules:
        if rule.matches(facts):
            return rule
    return None


def _apply(rule: Rule, case: Case, policy: Policy, version: PolicyVersion) -> Verdict:
    amount = None
    if rule.amount is not None:
        amount = _amount(rule.amount, case)
        if amount is None or amount <= ZERO:
            return _verdict(case, policy, version, "review", None, rule.clauses,
                            _render(_NOTHING_LEFT, case, None), f"{rule.id}:nothing-left")
    return _verdict(case, policy, version, rule.decision, amount, rule.clauses,
                    _render(rule.explain, case, amount), rule.id)


def _amount(expression: str, case: Case) -> Decimal | None:
    """The credit for an amount expression (see rules.AMOUNTS); None when there is no order to price."""
    order = case.order
    if order is None:
        return None
    if expression == "remains":
        due = pro_rata(order.charge, order.quantity, order.remains)
    else:
        due = order.charge
    return settle(due, order.charge, order.refunded)


def _render(template: str, case: Case, amount: Decimal | None) -> str:
    """Fill an explanation template; templates were checked at load, so only known names occur."""
    values = {"amount": "" if amount is None else str(amount), **_order_values(case.order)}
    try:
        return template.format_map(values)
    except (KeyError, ValueError, IndexError):
        return template  # never lose a verdict over wording


def _order_values(order) -> dict:
    if order is None:
        return {"currency": "", "order_id": "your order", "status": "", "quantity": "", "remains": "",
                "delivered": "", "refill_days": "", "charge": "", "refunded": ""}
    return {
        "currency": order.currency, "order_id": order.id, "status": order.status,
        "quantity": order.quantity, "remains": order.remains,
        "delivered": max(0, order.quantity - max(order.remains, 0)),
        "refill_days": order.service.refill_days, "charge": order.charge, "refunded": order.refunded,
    }


def _verdict(case: Case, policy: Policy, version: PolicyVersion | None, decision: str,
             amount: Decimal | None, clauses: tuple[str, ...], explanation: str, rule: str) -> Verdict:
    return Verdict(
        case_id=case.case_id, decision=decision, amount=amount, clauses=tuple(clauses),
        explanation=explanation, policy=policy.name,
        policy_version=version.id if version else "", rule=rule,
    )
