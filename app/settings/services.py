"""Reading and changing run-time settings, with defaults when a setting was never saved."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from app.errors import ValidationError
from app.extensions import db
from app.policy import list_policies
from app.settings.models import Setting

ACTIVE_POLICY = "active_policy"
AUTO_APPROVAL = "auto_approval"
DEFAULTS = {
    ACTIVE_POLICY: "smm-panel-bot",
    # decision -> largest amount approved without an agent; None: never automatic
    AUTO_APPROVAL: {"credit": "5.00", "cancel": None, "refill": None},
}
AUTO_DECISIONS = ("credit", "cancel", "refill")


def get(key: str):
    row = db.session.get(Setting, key)
    return row.value if row is not None else DEFAULTS[key]


def put(key: str, value) -> None:
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
    db.session.flush()


def active_policy_name() -> str:
    return get(ACTIVE_POLICY)


def set_active_policy(name: str) -> None:
    if name not in list_policies():
        raise ValidationError(f"No shipped policy named {name!r}.", field="policy")
    put(ACTIVE_POLICY, name)


def auto_approval_limits() -> dict[str, Decimal | None]:
    """Per decision, the largest amount auto-approved (refills have no amount: any value enables them)."""
    stored = {**DEFAULTS[AUTO_APPROVAL], **(get(AUTO_APPROVAL) or {})}
    return {d: (Decimal(stored[d]) if stored.get(d) not in (None, "") else None) for d in AUTO_DECISIONS}


def set_auto_approval_limits(limits: dict[str, str | None]) -> None:
    clean = {}
    for decision in AUTO_DECISIONS:
        raw = (limits.get(decision) or "").strip() if isinstance(limits.get(decision), str) else limits.get(decision)
        if raw in (None, ""):
            clean[decision] = None
            continue
        try:
            amount = Decimal(str(raw))
        except InvalidOperation:
            raise ValidationError(f"The {decision} limit must be an amount such as 5.00.", field=decision) from None
        if not amount.is_finite() or amount < 0:
            raise ValidationError(f"The {decision} limit must be zero or more.", field=decision)
        clean[decision] = str(amount)
    put(AUTO_APPROVAL, clean)
