"""Admin pages for provider accounts: list, add, edit and import their services."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from sqlalchemy import select

from app.errors import DeskError, NotFound
from app.extensions import db
from app.providers import services
from app.providers.forms import ProviderForm
from app.providers.models import Provider
from app.security import admin_required
from app.tickets.forms import ActionForm, show_error

bp = Blueprint("providers", __name__, url_prefix="/admin/providers")


def _provider(provider_id: int) -> Provider:
    provider = db.session.get(Provider, provider_id)
    if provider is None:
        raise NotFound("No such provider.")
    return provider


@bp.get("/")
@admin_required
def index():
    providers = db.session.scalars(select(Provider).order_by(Provider.name)).all()
    return render_template("providers/list.html", providers=providers, action_form=ActionForm())


@bp.route("/new", methods=["GET", "POST"], defaults={"provider_id": None})
@bp.route("/<int:provider_id>", methods=["GET", "POST"])
@admin_required
def edit(provider_id: int | None):
    provider = _provider(provider_id) if provider_id else None
    form = ProviderForm(obj=provider)
    if form.validate_on_submit():
        try:
            provider = services.save_provider(
                provider, name=form.name.data, api_url=form.api_url.data, api_key=form.api_key.data,
                is_active=form.is_active.data, allow_private=current_app.config["PROVIDER_ALLOW_PRIVATE_URLS"])
            db.session.commit()
        except DeskError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(f"{provider.name} is saved.", "success")
            return redirect(url_for("providers.index"))
    return render_template("providers/edit.html", form=form, provider=provider)


@bp.post("/<int:provider_id>/sync")
@admin_required
def sync(provider_id: int):
    provider = _provider(provider_id)
    if ActionForm().validate_on_submit():
        try:
            result = services.sync_services(provider)
            db.session.commit()
            flash(f"{provider.name}: {result.added} services added, {result.updated} updated.", "success")
        except DeskError as error:
            db.session.rollback()
            flash(error.message, "error")
    return redirect(url_for("providers.index"))
