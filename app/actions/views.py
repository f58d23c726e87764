"""Agents' pages for outbox actions: the failed-actions list and its Retry button (POST + CSRF)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.actions import execution, queries
from app.actions.models import Action
from app.errors import DeskError
from app.extensions import db
from app.security import agent_required, safe_next_url

bp = Blueprint("actions", __name__, url_prefix="/desk/actions")


@bp.get("/failed")
@agent_required
def failed():
    return render_template("actions/failed.html", actions=queries.problem_actions())


@bp.post("/<int:action_id>/retry")
@agent_required
def retry(action_id: int):
    action = db.session.get(Action, action_id) or abort(404)
    try:
        execution.retry(action, current_user)
        db.session.commit()
        flash(f"Action {action_id} is queued again.", "success")
    except DeskError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(safe_next_url(request.form.get("next")) or url_for("actions.failed"))

