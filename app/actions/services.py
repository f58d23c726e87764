"""Creating outbox actions for an approval. Executing them lives in app.actions.execution."""
from __future__ import annotations

from app.actions.models import Action, ActionKind
from app.db import format_money
from app.extensions import db
from app.outbox import enqueue_after_commit

ACTIONS_QUEUE = {ActionKind.CREDIT.value: "credits"}
DEFAULT_QUEUE = "providers"
JOB_PATH = "workers.actions.run_action"


def credit_cause(approval, verdict) -> str:
    """The ledger cause: one refund credit per order and cause, enforced by the database.

    Policy credits are keyed by the order status they rest on, so a ticket and the automatic
    refund poll can never both credit a Canceled order; an override is a cause of its own.
    """
    if approval.is_override:
        return f"override:{approval.id}"
    if verdict.order is None:
        return f"ticket:{verdict.ticket_id}"
    return f"status:{verdict.order.status.lower()}"


def actions_for_approval(approval, verdict, ticket) -> list[Action]:
    """The actions an approved decision needs, written in the current transaction."""
    kinds = {
        "credit": [ActionKind.CREDIT],
        "cancel": [ActionKind.PROVIDER_CANCEL],  # the credit follows once the provider confirms
        "refill": [ActionKind.PROVIDER_REFILL],
    }.get(approval.decision, [])
    actions = [
        Action(
            approval_id=approval.id, ticket_id=ticket.id if ticket else None, order_id=verdict.order_id,
            customer_id=ticket.customer_id, kind=kind.value, amount=approval.amount,
            cause=credit_cause(approval, verdict) if kind is ActionKind.CREDIT else "cancel",
            idempotency_key=f"approval:{approval.id}:{kind.value}",
        )
        for kind in kinds
    ]
    db.session.add_all(actions)
    db.session.flush()
    for action in actions:
        schedule(action)
    return actions


def schedule(action: Action) -> None:
    """Queue the action's job after commit; the job id makes a duplicate enqueue harmless."""
    enqueue_after_commit(ACTIONS_QUEUE.get(action.kind, DEFAULT_QUEUE), JOB_PATH, action.id,
                         job_id=f"action-{action.id}-{action.attempts}")


def action_as_dict(action: Action) -> dict:
    return {
        "id": action.id,
        "kind": action.kind,
        "state": action.state,
        "amount": format_money(action.amount),
        "order_id": action.order.panel_id if action.order else None,
        "attempts": action.attempts,
        "last_error": action.last_error,
        "idempotency_key": action.idempotency_key,
        "created_at": action.created_at.isoformat(),
    }
