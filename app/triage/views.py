"""One-click approval and override on the ticket page; the policy settings page for admins."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from app.errors import DeskError
from app.extensions import db
from app.policy import list_policies
from app.security import admin_required, agent_required
from app.settings import services as settings
from app.tickets import queries
from app.tickets.forms import choices
from app.triage import services
from app.triage.forms import ApproveForm, OverrideForm, PolicySettingsForm

bp = Blueprint("triage", __name__)


def _decide(ticket_id: int, form, build_override):
    ticket = queries.ticket_for(current_user, ticket_id)
    if not form.validate_on_submit():
        flash("Not approved: " + "; ".join(sum(form.errors.values(), [])), "error")
        return redirect(url_for("desk.ticket", ticket_id=ticket_id))
    try:
        actions = services.approve(ticket, current_user, form.order_id.data or None, build_override(form))
        db.session.commit()
    except DeskError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(f"Approved: {len(actions)} action(s) queued." if actions else "Approved.", "success")
    return redirect(url_for("desk.ticket", ticket_id=ticket_id))


@bp.post("/desk/tickets/<int:ticket_id>/approve")
@agent_required
def approve(ticket_id: int):
    return _decide(ticket_id, ApproveForm(), lambda form: None)


@bp.post("/desk/tickets/<int:ticket_id>/override")
@agent_required
def override(ticket_id: int):
    def build(form):
        return services.Override.parse(
            {"decision": form.decision.data, "amount": form.amount.data, "note": form.note.data})

    return _decide(ticket_id, OverrideForm(), build)


@bp.route("/admin/policy", methods=["GET", "POST"])
@admin_required
def policy_settings():
    limits = settings.auto_approval_limits()
    form = PolicySettingsForm(policy=settings.active_policy_name(), **limits)
    form.policy.choices = choices((name, name) for name in list_policies())
    if form.validate_on_submit():
        try:
            settings.set_active_policy(form.policy.data)
            settings.set_auto_approval_limits(
                {d: str(getattr(form, d).data) if getattr(form, d).data is not None else None
                 for d in settings.AUTO_DECISIONS})
            db.session.commit()
        except DeskError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            flash("Policy settings saved. New verdicts use them from now on.", "success")
            return redirect(url_for("triage.policy_settings"))
    return render_template("triage/settings.html", form=form)
