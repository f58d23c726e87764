"""The rule vocabulary a policy file may use — the whole language the engine interprets.

A rule is `when` (conditions, all of which must hold) → `decision` (+ `amount` for money decisions),
citing `clauses` and carrying an `explain` template. Panel differences live in the files; this module
only knows how to read and test the words below. Adding a word here is how the language grows.

Conditions (a list value means "any of"; a bare string is a one-item list):
  kind, reason, status            contract words; reason accepts "@group" for a [groups] list
  delivered                       "none" | "some" | "all" (from remains vs quantity)
  refill_window                   "open" | "closed" | "none" (no refill cover) | "unknown"
  has_order, has_payment, suspended, chargeback, service_refill, service_cancel,
  overlapping, fully_refunded     true/false
  status_age_hours_over / _max    hours since the order entered its status, > N / <= N
  charge_age_hours_over / _max    hours since the payment (or the order's charge), > N / <= N
"""
from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any, Callable

from app.policy.facts import Facts
from app.policy.vocab import KINDS, REASONS, STATUSES, canonical_status

AMOUNTS = {
    "full": "charge minus what was already refunded",
    "remains": "the undelivered share: charge × remains ÷ quantity, minus what was already refunded",
}
PLACEHOLDERS = ("amount", "currency", "order_id", "status", "quantity", "remains", "delivered",
                "refill_days", "charge", "refunded")


class RuleValueError(ValueError):
    """A bad value in a rule; `token` is text to look for in the file to find the offending line."""

    def __init__(self, message: str, token: str | None = None):
        super().__init__(message)
        self.token = token


def _as_list(name: str, value: Any) -> list:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise RuleValueError(f"condition '{name}' needs a word or a non-empty list of words")
    return items


def _words(allowed: tuple[str, ...], fact: str, canon: Callable[[str], str | None] = lambda w: w):
    def parse(name: str, value: Any, groups: dict) -> frozenset:
        out = set()
        for word in _as_list(name, value):
            if word.startswith("@") and fact == "reason":
                if word[1:] not in groups:
                    raise RuleValueError(f"unknown reason group '{word}' (define it under [groups])", word)
                out.update(groups[word[1:]])
                continue
            known = canon(word)
            if known not in allowed:
                raise RuleValueError(f"unknown {fact} '{word}' in '{name}'; known: {', '.join(allowed)}", word)
            out.add(known)
        return frozenset(out)
    return fact, parse, lambda actual, wanted: actual in wanted


def _flag(fact: str):
    def parse(name: str, value: Any, groups: dict) -> bool:
        if not isinstance(value, bool):
            raise RuleValueError(f"condition '{name}' must be true or false")
        return value
    return fact, parse, lambda actual, wanted: actual is not None and actual == wanted


def _hours(fact: str, over: bool):
    def parse(name: str, value: Any, groups: dict) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise RuleValueError(f"condition '{name}' must be a number of hours (0 or more)")
        return float(value)
    if over:
        return fact, parse, lambda actual, limit: actual is not None and actual > limit
    return fact, parse, lambda actual, limit: actual is not None and actual <= limit


CONDITIONS: dict[str, tuple[str, Callable, Callable]] = {
    "kind": _words(KINDS, "kind"),
    "reason": _words(REASONS, "reason"),
    "status": _words(STATUSES, "status", canonical_status),
    "delivered": _words(("none", "some", "all"), "delivered"),
    "refill_window": _words(("open", "closed", "none", "unknown"), "refill_window"),
    **{name: _flag(name) for name in (
        "has_order", "has_payment", "suspended", "chargeback", "service_refill", "service_cancel",
        "overlapping", "fully_refunded")},
    "status_age_hours_over": _hours("status_age_hours", over=True),
    "status_age_hours_max": _hours("status_age_hours", over=False),
    "charge_age_hours_over": _hours("charge_age_hours", over=True),
    "charge_age_hours_max": _hours("charge_age_hours", over=False),
}


@dataclass(frozen=True)
class Condition:
    name: str
    fact: str
    wanted: Any
    test: Callable[[Any, Any], bool]

    def holds(self, facts: Facts) -> bool:
        return self.test(getattr(facts, self.fact), self.wanted)


@dataclass(frozen=True)
class Rule:
    id: str
    when: tuple[Condition, ...]
    decision: str
    amount: str | None
    clauses: tuple[str, ...]
    explain: str
    versions: frozenset[str] | None  # None: the rule is part of every version

    def matches(self, facts: Facts) -> bool:
        return all(c.holds(facts) for c in self.when)


def parse_condition(name: str, value: Any, groups: dict) -> Condition:
    if name not in CONDITIONS:
        raise RuleValueError(f"unknown condition '{name}'; known: {', '.join(CONDITIONS)}", name)
    fact, parse, test = CONDITIONS[name]
    return Condition(name, fact, parse(name, value, groups), test)


def check_template(text: str) -> None:
    """Refuse explanation templates whose {placeholders} the engine cannot fill."""
    try:
        fields = [f for _, f, spec, conv in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        raise RuleValueError(f"explain: {exc} (write {{{{ and }}}} for literal braces)") from None
    for field in fields:
        if field not in PLACEHOLDERS:
            raise RuleValueError(
                f"explain uses unknown placeholder '{{{field}}}'; known: {', '.join(PLACEHOLDERS)}",
                "{" + field)
