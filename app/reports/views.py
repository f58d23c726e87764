"""Dashboards for agents and admins: /desk/reports/<page> and its tables as CSV."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from app.db import utcnow
from app.reports import exports
from app.reports.pages import PAGES
from app.reports.periods import GRANULARITIES, Period
from app.security import agent_required

bp = Blueprint("reports", __name__, url_prefix="/desk/reports")


@bp.get("/")
@agent_required
def index():
    return redirect(url_for("reports.page", slug="refunds"))


def _build(slug: str):
    if slug not in PAGES:
        abort(404)
    now = utcnow()
    period = Period.from_args(request.args, now.date())
    return period, PAGES[slug](period, now)


@bp.get("/<slug>")
@agent_required
def page(slug: str):
    period, built = _build(slug)
    return render_template("reports/page.html", page=built, period=period,
                           granularities=GRANULARITIES, pages=PAGES)


@bp.get("/<slug>/<table>.csv")
@agent_required
def download(slug: str, table: str):
    period, built = _build(slug)
    found = built.table(table)
    if found is None:
        abort(404)
    return exports.csv_response(slug, found, period)
