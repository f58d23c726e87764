"""`GET /api/v1/wallet`: a customer's own wallet; agents name the customer with `?customer=EMAIL`."""
from __future__ import annotations

from flask import g, jsonify, request

from app.api.base import bp
from app.auth.services import find_user_by_email
from app.errors import NotFound, ValidationError
from app.security import row_int
from app.wallet.services import wallet_as_dict


@bp.get("/wallet")
def wallet():
    user = g.api_user
    if user.is_agent:
        email = (request.args.get("customer") or "").strip()
        if not email:
            raise ValidationError("Name the customer: /api/v1/wallet?customer=EMAIL.", field="customer")
        user = find_user_by_email(email)
        if user is None or user.is_agent:
            raise NotFound(f"No customer {email}.")
    limit = request.args.get("limit", 100, type=row_int)
    return jsonify(wallet_as_dict(user.id, limit=limit, before_id=request.args.get("before", type=row_int)))
