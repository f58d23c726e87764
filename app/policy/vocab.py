"""The fixed words of the policy contract: kinds, reasons, statuses, decisions.

These come from shared/policy-contract.md, not from any one panel, so both the case parser and the
policy loader check against them: a policy naming a status that no provider reports is a typo.
"""
from __future__ import annotations

KINDS = ("refund", "refill", "cancel", "payment")

REASONS = (
    "not_started", "not_delivered", "partial_delivery", "dropped", "slow_delivery", "wrong_link",
    "private_account", "changed_mind", "not_satisfied", "duplicate_charge", "payment_mismatch",
    "wrong_charge", "deposit_refund", "other",
)

STATUSES = ("Pending", "Processing", "In progress", "Completed", "Partial", "Canceled", "Refunded", "Failed")

DECISIONS = ("credit", "cancel", "refill", "deny", "review")

# Decisions that move money and therefore need an amount expression.
MONEY_DECISIONS = ("credit", "cancel")

# Spelling variants the contract says mean the same status.
_ALIASES = {"cancelled": "Canceled"}
_BY_FOLDED = {s.casefold(): s for s in STATUSES}


def canonical_status(raw: str | None) -> str | None:
    """The contract's spelling of a provider status, or None when the status is not one we know.

    Matching ignores case and surrounding blanks; anything else (e.g. `in_progress`) stays unknown on
    purpose, so the engine sends it to a person instead of guessing.
    """
    if not isinstance(raw, str):
        return None
    folded = raw.strip().casefold()
    return _ALIASES.get(folded) or _BY_FOLDED.get(folded)
