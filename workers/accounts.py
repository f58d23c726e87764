"""Account emails: the password-reset request is looked up by a worker, not by the web request.

Doing the lookup in the request took measurably longer for a known address than for an
unknown one, which would tell an attacker which addresses have accounts.
"""
from app.auth import confirm
from app.auth.reset import request_password_reset
from app.extensions import db
from workers.context import in_app_context


@in_app_context
def send_password_reset(email: str) -> None:
    request_password_reset(email)
    db.session.commit()


@in_app_context
def send_confirmation(user_id: int) -> None:
    """A web sign-up's "confirm your email address" message."""
    confirm.send_confirmation(user_id)
    db.session.commit()
