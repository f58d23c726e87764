"""Domain errors raised by services, and how the web and the API show them."""
from __future__ import annotations

from flask import jsonify, render_template, request


class DeskError(Exception):
    """Base of errors a service raises on purpose; `status` is the HTTP answer."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DeskError):
    status = 422


class NotFound(DeskError):
    status = 404


class Forbidden(DeskError):
    status = 403


class Conflict(DeskError):
    status = 409


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def register_error_handlers(app) -> None:
    def handle_http(error):
        code = getattr(error, "code", 500) or 500
        if _wants_json():
            return jsonify(error=getattr(error, "description", "error")), code
        return render_template("errors/error.html", code=code, error=error), code

    def handle_desk(error: DeskError):
        if _wants_json():
            return jsonify(error=error.message), error.status
        return render_template("errors/error.html", code=error.status, error=error), error.status

    for code in (400, 401, 403, 404, 405, 409, 413, 422, 429, 500):
        app.register_error_handler(code, handle_http)
    app.register_error_handler(DeskError, handle_desk)
