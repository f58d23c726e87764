"""Two thin doors: the raw-MIME webhook for mail servers, and the admins' quarantine page.

The webhook authenticates the relay with a shared INTAKE_TOKEN (never a user's API
token: a mail relay is not a user), compared in constant time. The message is committed
before the answer, so a relay that retries after a timeout gets `duplicate`, not a
second ticket. Note the token authenticates only the relay; the sender is still judged
by the pipeline.
"""
from __future__ import annotations

import hmac

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from app.errors import DeskError
from app.extensions import db
from app.intake import services
from app.intake.models import IntakeMessage
from app.security import admin_required
from app.tickets.forms import ActionForm

api_bp = Blueprint("intake_api", __name__, url_prefix="/api/v1/intake")
admin_bp = Blueprint("intake", __name__, url_prefix="/desk/intake")


def _token_ok() -> bool:
    expected = current_app.config.get("INTAKE_TOKEN") or ""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        given = request.headers.get("X-Intake-Token", "")
    # compare_digest on equal-type bytes; an unset token matches nothing, not even ""
    return bool(expected) and hmac.compare_digest(given.strip().encode(), expected.encode())


@api_bp.post("/email")
def receive_email():
    if not _token_ok():
        response = jsonify(error="A valid intake token is required.")
        response.headers["WWW-Authenticate"] = "Bearer"
        return response, 401
    raw = request.get_data(cache=False)
    if not raw.strip():
        return jsonify(error="The body must be a raw RFC 5322 message."), 400
    result = services.ingest_raw(raw, "api", "api")
    return jsonify(result.as_json()), 200


@admin_bp.get("/quarantine")
@admin_required
def quarantine():
    rows = db.session.scalars(
        select(IntakeMessage).where(IntakeMessage.outcome == "quarantined").order_by(IntakeMessage.id.desc()).limit(200)
    ).all()
    return render_template("intake/quarantine.html", rows=rows, form=ActionForm())


@admin_bp.post("/quarantine/<int:intake_id>/retry")
@admin_required
def retry(intake_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        flash("The form expired; try again.", "error")
        return redirect(url_for("intake.quarantine"))
    try:
        result = services.retry(intake_id)
    except DeskError as error:
        flash(error.message, "error")
        return redirect(url_for("intake.quarantine"))
    ticket = f" (ticket #{result.ticket})" if result.ticket else ""
    flash(f"Message {intake_id}: {result.outcome}{ticket}. {result.reason}", "success")
    return redirect(url_for("intake.quarantine"))
