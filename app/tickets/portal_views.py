"""The customer portal: my tickets, a new ticket, one ticket's conversation."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.attachments.services import uploads_from_files
from app.db import utcnow
from app.errors import DeskError
from app.extensions import db, limiter
from app.security import customer_required
from app.tickets import queries, services
from app.tickets.forms import NewTicketForm, ReplyForm, show_error

bp = Blueprint("portal", __name__, url_prefix="/my")


@bp.get("/tickets")
@customer_required
def tickets():
    return render_template("portal/tickets.html", tickets=queries.customer_tickets(current_user))


@bp.route("/tickets/new", methods=["GET", "POST"])
@customer_required
@limiter.limit(lambda: current_app.config["TICKET_CREATE_LIMITS"], methods=["POST"],
               key_func=lambda: f"ticket-create:{current_user.id}")
def new_ticket():
    form = NewTicketForm()
    if request.method == "GET" and request.args.get("order"):
        form.order_ids.data = request.args["order"][:40]
    if form.validate_on_submit():
        try:
            ticket = services.open_ticket(
                current_user, kind=form.kind.data, reason=form.reason.data, subject=form.subject.data,
                body=form.body.data, order_ids=form.order_ids.data,
                uploads=uploads_from_files(form.screenshots.data or []),
            )
            db.session.commit()
        except DeskError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(f"Ticket {ticket.reference} is filed. We will answer here.", "success")
            return redirect(url_for("portal.ticket", ticket_id=ticket.id))
    return render_template("portal/new_ticket.html", form=form), 422 if form.errors else 200


@bp.route("/tickets/<int:ticket_id>", methods=["GET", "POST"])
@customer_required
def ticket(ticket_id: int):
    ticket = queries.ticket_for(current_user, ticket_id)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            services.add_message(ticket, current_user, form.body.data,
                                 uploads=uploads_from_files(form.screenshots.data or []))
            db.session.commit()
        except DeskError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash("Your reply is sent.", "success")
            return redirect(url_for("portal.ticket", ticket_id=ticket.id))
    return render_template(
        "portal/ticket.html", ticket=ticket, form=form, now=utcnow(),
        messages=queries.visible_messages(ticket, current_user),
        attachments=queries.visible_attachments(ticket, current_user),
    )
