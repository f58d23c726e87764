"""The API blueprint and its bearer-token authentication."""
from flask import Blueprint, g, jsonify, request

from app.auth.services import user_for_token
from app.errors import ValidationError

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def authenticate_bearer():
    """Every API call names its user by token; a cookie session never counts here."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        response = jsonify(error="A valid API token is required (Authorization: Bearer TOKEN).")
        response.headers["WWW-Authenticate"] = "Bearer"
        return response, 401
    g.api_user = user
    return None


def json_body() -> dict:
    """The request's fields, from JSON or from a multipart/urlencoded form."""
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise ValidationError("The body must be a JSON object.")
        return data
    data = request.form.to_dict()
    if "order_ids" in request.form:
        data["order_ids"] = request.form.getlist("order_ids")
    return data
