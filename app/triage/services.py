"""Verdicts for a ticket's orders, and approving them (by an agent or automatically).

Approval writes its actions in the same transaction (the outbox); they are queued for
the workers only after commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import policy
from app.actions.services import actions_for_approval
from app.db import utcnow
from app.errors import Conflict, NotFound, ValidationError
from app.extensions import db
from app.settings import services as settings
from app.tickets.audit import record
from app.triage.mapping import build_case, snapshot_digest
from app.triage.models import DECISIONS, Approval, Verdict

ACTIONABLE = ("credit", "cancel", "refill")


@lru_cache(maxsize=16)
def load_policy(name: str) -> policy.Policy:
    """Policies are files in the repository, read once per process."""
    return policy.load_policy(name)


def active_policy() -> policy.Policy:
    return load_policy(settings.active_policy_name())


def clause_texts(verdict: Verdict) -> list[tuple[str, str]]:
    """(clause id, its text) for display; a clause the policy no longer has shows its id only."""
    pol = load_policy(verdict.policy)
    texts = []
    for clause in verdict.clauses:
        try:
            texts.append((clause, pol.clause_text(clause, verdict.policy_version)))
        except KeyError:
            texts.append((clause, ""))
    return texts


def compute_verdicts(ticket, now: datetime | None = None, actor=None) -> list[Verdict]:
    """(Re)compute the verdict of every order of the ticket; approved verdicts stay as they were."""
    if ticket.kind not in policy.KINDS:
        return []
    now = now or utcnow()
    pol = active_policy()
    targets = list(ticket.orders) or ([None] if ticket.kind == "payment" else [])
    existing = {v.order_id: v for v in ticket.verdicts}
    verdicts = []
    for order in targets:
        verdict = existing.get(order.id if order else None)
        if verdict is not None and verdict.approval is not None:
            verdicts.append(verdict)
            continue
        verdicts.append(_store_verdict(ticket, order, verdict, pol, now, actor))
    db.session.flush()
    auto_approve(ticket)
    return verdicts


def _store_verdict(ticket, order, verdict: Verdict | None, pol, now, actor) -> Verdict:
    case = build_case(ticket, order, now)
    digest = snapshot_digest(case)
    if verdict is not None and verdict.snapshot == digest and verdict.policy == pol.name:
        return verdict
    result = policy.decide(case, pol)
    before = _summary(verdict) if verdict else None
    if verdict is None:
        verdict = Verdict(ticket=ticket, order=order)
        db.session.add(verdict)
    verdict.decision, verdict.amount = result.decision, result.amount
    verdict.clauses, verdict.explanation = list(result.clauses), result.explanation
    verdict.policy, verdict.policy_version, verdict.rule = result.policy, result.policy_version, result.rule
    verdict.snapshot, verdict.computed_at = digest, now
    if before != _summary(verdict):
        record(ticket, actor, "verdict", before=before, after=_summary(verdict))
    return verdict


def _summary(verdict: Verdict) -> dict:
    return {
        "order": verdict.order.panel_id if verdict.order else None,
        "decision": verdict.decision,
        "amount": str(verdict.amount) if verdict.amount is not None else None,
        "clauses": list(verdict.clauses or []),
    }


def refresh_for_order(order, now: datetime | None = None) -> int:
    """Recompute verdicts of the open tickets about `order` after its snapshot changed."""
    from app.tickets.models import Ticket, ticket_orders

    tickets = db.session.scalars(
        select(Ticket).join(ticket_orders).where(
            ticket_orders.c.order_id == order.id, Ticket.status.in_(("new", "open", "waiting")))
    ).all()
    for ticket in tickets:
        compute_verdicts(ticket, now)
    return len(tickets)


@dataclass(frozen=True)
class Override:
    decision: str
    amount: Decimal | None
    note: str

    @classmethod
    def parse(cls, data: dict | None) -> "Override | None":
        if not data:
            return None
        if not isinstance(data, dict):
            raise ValidationError("`override` must be an object with decision, amount and note.", field="override")
        decision = str(data.get("decision") or "")
        if decision not in DECISIONS or decision == "review":
            raise ValidationError("An override decision must be credit, cancel, refill or deny.", field="decision")
        note = str(data.get("note") or "").strip()
        if not note:
            raise ValidationError("An override needs a note saying why.", field="note")
        return cls(decision, _parse_amount(data.get("amount"), decision), note[:2000])


def _parse_amount(raw, decision: str) -> Decimal | None:
    if decision not in ("credit", "cancel"):
        return None
    try:
        amount = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError("Give the amount to credit, such as 1.25.", field="amount") from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError("The amount must be more than zero.", field="amount")
    return amount


def approve(ticket, actor, order_id: str | None = None, override: Override | None = None) -> list:
    """Approve the ticket's verdict(s) and return their actions; approving again creates nothing new."""
    verdicts = _verdicts_to_approve(ticket, order_id)
    if override and len(verdicts) != 1:
        raise ValidationError("Name the order (order_id) to override.", field="order_id")
    actions = []
    for verdict in verdicts:
        actions += _approve_one(ticket, verdict, actor, override, auto=False)
    return actions


def _verdicts_to_approve(ticket, order_id: str | None) -> list[Verdict]:
    if not ticket.verdicts:
        raise Conflict("This ticket has no verdict to approve.")
    if order_id is None:
        return list(ticket.verdicts)
    wanted = order_id.strip().upper()
    chosen = [v for v in ticket.verdicts if v.order is not None and v.order.panel_id == wanted]
    if not chosen:
        raise NotFound(f"No verdict for order {order_id} on this ticket.")
    return chosen


def _approve_one(ticket, verdict: Verdict, actor, override: Override | None, auto: bool) -> list:
    if verdict.approval is not None:
        return list(verdict.approval.actions)
    decision = override.decision if override else verdict.decision
    amount = override.amount if override else verdict.amount
    if decision == "review":
        raise Conflict("A review verdict needs an override: decide credit, cancel, refill or deny.")
    if amount is not None:
        _check_amount(verdict, amount)
    approval = Approval(
        verdict_id=verdict.id, ticket_id=ticket.id, order_id=verdict.order_id, decision=decision, amount=amount,
        is_override=override is not None, is_auto=auto, note=override.note if override else "",
        approved_by_id=actor.id if actor else None,
    )
    try:
        with db.session.begin_nested():  # a concurrent approval of the same verdict loses here, not later
            db.session.add(approval)
            db.session.flush()
    except IntegrityError:
        db.session.expire(verdict)
        return list(verdict.approval.actions) if verdict.approval else []
    approval.verdict = verdict
    actions = actions_for_approval(approval, verdict, ticket)
    record(ticket, actor, "overridden" if override else "approved", before=_summary(verdict), after={
        "decision": decision, "amount": str(amount) if amount is not None else None, "auto": auto,
        "note": approval.note, "actions": [a.kind for a in actions],
    })
    return actions


def _check_amount(verdict: Verdict, amount: Decimal) -> None:
    order = verdict.order
    if order is not None and amount > order.charge - order.refunded:
        limit = order.charge - order.refunded
        raise ValidationError(f"At most {limit.normalize():f} can be credited for {order.panel_id}.", field="amount")


def auto_approve(ticket) -> list:
    """Approve clear cases under the configured limits, without an agent; marked auto in the audit trail.

    Never for a ticket that came by email: a From header can be forged, and no email may move
    money on its own. An agent approves those (the provider-status poll still credits orders).
    """
    if ticket.source == "email":
        return []
    limits = settings.auto_approval_limits()
    actions = []
    for verdict in ticket.verdicts:
        limit = limits.get(verdict.decision)
        if verdict.approval is not None or limit is None:
            continue
        if verdict.amount is not None and verdict.amount > limit:
            continue
        actions += _approve_one(ticket, verdict, None, None, auto=True)
    return actions
