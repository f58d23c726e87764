"""Periodic job: re-enqueue outbox actions that Redis or a dead worker lost (app.actions.sweeper)."""
from __future__ import annotations

from app.actions.sweeper import sweep
from workers.context import in_app_context


@in_app_context
def sweep_actions() -> list[int]:
    return sweep()
