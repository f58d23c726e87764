"""RQ jobs for outbox actions. They take the action id only and re-read everything from the DB."""
from __future__ import annotations

from app.actions import execution, finishing
from workers.context import in_app_context


@in_app_context
def run_action(action_id: int) -> str:
    """One step of a credit, refill or cancel; safe to run any number of times (see app.actions.execution)."""
    return execution.run(int(action_id))


@in_app_context
def finish_action(action_id: int) -> str:
    """Tell the customer and resolve the ticket once its actions are done; idempotent."""
    return finishing.finish_action(int(action_id))
