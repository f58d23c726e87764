"""The agents' desk: the triage queue and the ticket page with its one-click actions."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app.actions.queries import actions_of_ticket
from app.attachments.services import uploads_from_files
from app.auth.models import User
from app.db import utcnow
from app.errors import DeskError, ValidationError
from app.extensions import db
from app.security import agent_required, is_row_id
from app.tickets import presence, queries, services
from app.tickets.forms import (
    KIND_CHOICES, STATUS_CHOICES, ActionForm, choices, AgentReplyForm, AssignForm, PriorityForm, StatusForm, show_error,
)
from app.reports.signals import SIGNALS, ticket_signals
from app.tickets.models import CannedReply
from app.triage.forms import ApproveForm, OverrideForm
from app.triage.models import DECISIONS
from app.triage.services import clause_texts

bp = Blueprint("desk", __name__, url_prefix="/desk")


@bp.get("/")
@agent_required
def queue():
    flt = queries.QueueFilter.from_args(request.args)
    tickets, next_cursor = queries.queue_page(flt, current_user, utcnow(), current_app.config["QUEUE_PAGE_SIZE"])
    return render_template(
        "desk/queue.html", tickets=tickets, next_cursor=next_cursor, flt=flt, now=utcnow(),
        agents=queries.agents(), kinds=KIND_CHOICES, statuses=STATUS_CHOICES, decisions=DECISIONS,
        signals=SIGNALS,
    )


def _assign_form() -> AssignForm:
    form = AssignForm()
    form.assignee.choices = choices([("", "Nobody")] + [(str(a.id), a.name) for a in queries.agents()])
    return form


@bp.get("/tickets/<int:ticket_id>")
@agent_required
def ticket(ticket_id: int, reply_form: AgentReplyForm | None = None):
    ticket = queries.ticket_for(current_user, ticket_id)
    assign_form = _assign_form()
    assign_form.assignee.data = str(ticket.assignee_id or "")
    return render_template(
        "desk/ticket.html", ticket=ticket, now=utcnow(),
        reply_form=reply_form or AgentReplyForm(), assign_form=assign_form,
        status_form=StatusForm(status=ticket.status), priority_form=PriorityForm(priority=ticket.priority),
        action_form=ActionForm(), canned=db.session.scalars(db.select(CannedReply).order_by(CannedReply.title)),
        viewers=presence.other_viewers(ticket.id, current_user.id),
        approve_form=ApproveForm(), override_form=OverrideForm(), clause_texts=clause_texts,
        ticket_actions=actions_of_ticket(ticket.id),
        signals=ticket_signals(ticket, utcnow()),
    )


@bp.post("/tickets/<int:ticket_id>/reply")
@agent_required
def reply(ticket_id: int):
    ticket = queries.ticket_for(current_user, ticket_id)
    form = AgentReplyForm()
    if not form.validate_on_submit():
        return ticket_page_with_errors(ticket_id, form)
    try:
        services.add_message(ticket, current_user, form.body.data, internal=form.internal.data,
                             uploads=uploads_from_files(form.screenshots.data or []))
        if form.status.data:
            services.change_status(ticket, current_user, form.status.data)
        db.session.commit()
    except DeskError as error:
        db.session.rollback()
        show_error(form, error)
        return ticket_page_with_errors(ticket_id, form)
    flash("Note added." if form.internal.data else "Reply sent.", "success")
    return redirect(url_for("desk.ticket", ticket_id=ticket_id))


def ticket_page_with_errors(ticket_id: int, form: AgentReplyForm):
    return ticket(ticket_id, reply_form=form), 422


def _apply(ticket_id: int, form, change, done: str):
    """Validate a one-field form, run `change(ticket, form)`, commit, and go back to the ticket."""
    ticket = queries.ticket_for(current_user, ticket_id)
    if form.validate_on_submit():
        try:
            change(ticket, form)
            db.session.commit()
            flash(done, "success")
        except DeskError as error:
            db.session.rollback()
            flash(error.message, "error")
    else:
        flash("That change could not be made: " + "; ".join(sum(form.errors.values(), [])), "error")
    return redirect(url_for("desk.ticket", ticket_id=ticket_id))


def _assignee(form) -> User | None:
    value = form.assignee.data
    if not value:
        return None
    user = db.session.get(User, int(value)) if is_row_id(value) else None
    if user is None:
        raise ValidationError("No such agent.", field="assignee")
    return user


@bp.post("/tickets/<int:ticket_id>/assign")
@agent_required
def assign(ticket_id: int):
    change = lambda t, f: services.assign(t, current_user, _assignee(f))  # noqa: E731
    return _apply(ticket_id, _assign_form(), change, "Assignee updated.")


@bp.post("/tickets/<int:ticket_id>/claim")
@agent_required
def claim(ticket_id: int):
    change = lambda t, f: services.assign(t, current_user, current_user)  # noqa: E731
    return _apply(ticket_id, ActionForm(), change, "The ticket is yours.")


@bp.post("/tickets/<int:ticket_id>/status")
@agent_required
def status(ticket_id: int):
    change = lambda t, f: services.change_status(t, current_user, f.status.data)  # noqa: E731
    return _apply(ticket_id, StatusForm(), change, "Status updated.")


@bp.post("/tickets/<int:ticket_id>/priority")
@agent_required
def priority(ticket_id: int):
    change = lambda t, f: services.change_priority(t, current_user, f.priority.data)  # noqa: E731
    return _apply(ticket_id, PriorityForm(), change, "Priority updated.")


@bp.post("/tickets/<int:ticket_id>/presence")
@agent_required
def presence_heartbeat(ticket_id: int):
    """Called every few seconds by the ticket page's script; answers who else is looking."""
    ticket = queries.ticket_for(current_user, ticket_id)
    presence.heartbeat(ticket.id, current_user.id, current_user.name)
    return jsonify(viewers=presence.other_viewers(ticket.id, current_user.id))
