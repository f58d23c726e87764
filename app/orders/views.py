"""Order lists: a customer's own orders; agents may look at any customer's."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from app.auth.services import find_user_by_email
from app.extensions import db
from app.orders.services import visible_orders
from app.security import row_int

bp = Blueprint("orders", __name__)


@bp.get("/orders")
@login_required
def orders():
    customer = None
    if current_user.is_agent and request.args.get("customer"):
        customer = find_user_by_email(request.args["customer"])
    customer_id = customer.id if customer else (-1 if request.args.get("customer") else None)
    page = db.paginate(visible_orders(current_user, customer_id), page=request.args.get("page", 1, type=row_int),
                       per_page=50, error_out=False)
    return render_template("orders/list.html", page=page, customer=customer)
