"""Wallet pages: a customer's balance and history; agents look up any customer's."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from app.auth.services import find_user_by_email
from app.security import agent_required, row_int
from app.wallet import services as wallet

bp = Blueprint("wallet", __name__)


@bp.get("/wallet")
@login_required
def own_wallet():
    if current_user.is_agent:
        abort(404)
    return _page(current_user)


@bp.get("/desk/wallet")
@agent_required
def customer_wallet():
    email = (request.args.get("customer") or "").strip()
    customer = find_user_by_email(email) if email else None
    if email and (customer is None or customer.is_agent):
        abort(404)
    return _page(customer) if customer else render_template("wallet/wallet.html", customer=None)


def _page(customer):
    before = request.args.get("before", type=row_int)
    entries = wallet.history(customer.id, limit=50, before_id=before)
    return render_template("wallet/wallet.html", customer=customer, balance=wallet.balance(customer.id),
                           currency=wallet.currency(), entries=entries,
                           older=entries[-1].id if len(entries) == 50 else None)
