"""Orders over the API: a customer's own; agents may filter by customer."""
from __future__ import annotations

from flask import g, jsonify, request

from app.api.base import bp
from app.auth.services import find_user_by_email
from app.extensions import db
from app.security import row_int
from app.orders.services import order_as_dict, order_for, visible_orders


@bp.get("/orders")
def list_orders():
    customer_id = None
    if g.api_user.is_agent and request.args.get("customer"):
        customer = find_user_by_email(request.args["customer"])
        customer_id = customer.id if customer else -1
    page = db.paginate(
        visible_orders(g.api_user, customer_id), page=request.args.get("page", 1, type=row_int),
        per_page=min(request.args.get("per_page", 100, type=row_int), 500), error_out=False,
    )
    return jsonify(orders=[order_as_dict(o) for o in page.items], page=page.page, pages=page.pages, total=page.total)


@bp.get("/orders/<order_id>")
def get_order(order_id: str):
    return jsonify(order_as_dict(order_for(g.api_user, order_id)))
