"""Reading actions for pages: a ticket's actions, and the ones a person must look at."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.actions.models import Action, ActionState
from app.extensions import db

PROBLEM_STATES = (ActionState.FAILED.value, ActionState.NEEDS_REVIEW.value)


def actions_of_ticket(ticket_id: int) -> list[Action]:
    return list(db.session.scalars(
        select(Action).options(joinedload(Action.order)).where(Action.ticket_id == ticket_id).order_by(Action.id)))


def problem_actions(limit: int = 200) -> list[Action]:
    """Failed and needs-review actions, newest change first (the agents' failed-actions page)."""
    return list(db.session.scalars(
        select(Action).options(joinedload(Action.order)).where(Action.state.in_(PROBLEM_STATES))
        .order_by(Action.updated_at.desc(), Action.id.desc()).limit(limit)))


def count_by_state() -> dict[str, int]:
    from sqlalchemy import func

    rows = db.session.execute(select(Action.state, func.count(Action.id)).group_by(Action.state)).all()
    return {state: count for state, count in rows}
