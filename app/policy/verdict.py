"""The engine's answer for one case."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.policy.money import format_amount


@dataclass(frozen=True)
class Verdict:
    """`decision` is one of vocab.DECISIONS; `amount` is set only for credit and cancel.

    `rule` names the policy rule that matched (or an engine guard such as "unknown-status") so an agent
    can see why, beyond what the contract's JSON carries.
    """

    case_id: str
    decision: str
    amount: Decimal | None
    clauses: tuple[str, ...]
    explanation: str
    policy: str
    policy_version: str
    rule: str = ""

    def to_json(self) -> dict:
        """Exactly the contract's verdict fields."""
        return {
            "case": self.case_id,
            "decision": self.decision,
            "amount": format_amount(self.amount),
            "clauses": list(self.clauses),
            "explanation": self.explanation,
        }
