"""Sign-up, login, logout and "set your password" (reset) pages."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import confirm, reset, services
from app.auth.forms import ConfirmForm, ForgotPasswordForm, LoginForm, SetPasswordForm, SignupForm
from app.errors import ValidationError
from app.extensions import db, limiter
from app.security import safe_next_url

bp = Blueprint("auth", __name__)

GENERIC_LOGIN_ERROR = "That email and password do not match an account."
SIGNUP_DONE = "Thanks. If the address was new, your account is ready: log in below."
RESET_SENT = "If an account uses that address, we have emailed a link to set a password."
RESET_DONE = "Your password is set. Log in with it."
RESET_LIMITS = "5 per 15 minutes"  # per IP and per address; PASSWORD_RESET_LIMITS overrides


def _login_limit() -> str:
    return current_app.config["LOGIN_LIMITS"]


def _account_key() -> str:
    return "login-account:" + services.normalise_email(request.form.get("email", ""))


def _reset_limit() -> str:
    return current_app.config.get("PASSWORD_RESET_LIMITS") or RESET_LIMITS


def _reset_account_key() -> str:
    return "reset-account:" + services.normalise_email(request.form.get("email", ""))


def home_for(user) -> str:
    return url_for("desk.queue") if user.is_agent else url_for("portal.tickets")


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_account_key)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        db.session.commit()
        if user:
            session.clear()  # no fixation: a fresh session for the new identity
            login_user(user, remember=form.remember.data)
            return redirect(safe_next_url(request.args.get("next")) or home_for(user))
        flash(GENERIC_LOGIN_ERROR, "error")
    return render_template("auth/login.html", form=form)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNUP_LIMITS"], methods=["POST"])
def signup():
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(form.email.data, form.password.data, form.name.data)
            confirm.send_confirmation_after_commit(user)
            db.session.commit()
        except ValidationError as error:
            db.session.rollback()
            if error.field != "email":  # an existing email is not revealed
                form.password.errors.append(error.message)
                return render_template("auth/signup.html", form=form)
        flash(SIGNUP_DONE, "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/signup.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    flash("You are logged out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
@limiter.limit(_reset_limit, methods=["POST"], key_func=_reset_account_key)
def forgot_password():
    """Ask for a link; the answer is the same whether or not an account uses the address."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        reset.request_password_reset_later(form.email.data)
        flash(RESET_SENT, "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


def _private(response):
    """The URL holds a token: never cached, never sent on as a Referer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _invalid_link():
    return _private(current_app.make_response((render_template("auth/reset_invalid.html"), 400)))


@bp.route("/reset/", methods=["GET", "POST"], defaults={"token": ""})
@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    user = reset.user_for_reset_token(token)
    if user is None:  # empty, forged, expired or already used: one answer for all
        return _invalid_link()
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            reset.set_password(user, form.password.data)
        except ValidationError as error:
            db.session.rollback()
            if error.field == "token":  # a concurrent request used this link first
                return _invalid_link()
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            session.clear()  # whoever was logged in here is not any more; no automatic login
            logout_user()  # and a remember-me cookie is cleared too
            flash(RESET_DONE, "success")
            return _private(redirect(url_for("auth.login")))
    return _private(current_app.make_response(render_template("auth/reset_password.html", form=form, user=user)))


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def confirm_email(token: str):
    """The emailed link shows a button; only its POST confirms (no state change on GET)."""
    user = confirm.user_for_confirmation_token(token)
    if user is None:
        return _private(current_app.make_response((render_template("auth/confirm_invalid.html"), 400)))
    form = ConfirmForm()
    if form.validate_on_submit():
        confirm.confirm_email(user)
        db.session.commit()
        flash("Thank you: your email address is confirmed.", "success")
        return _private(redirect(url_for("auth.index")))
    return _private(current_app.make_response(render_template("auth/confirm_email.html", form=form, user=user)))


@bp.post("/confirm")
@login_required
@limiter.limit("3 per hour", key_func=lambda: f"confirm-resend:{current_user.id}")
def resend_confirmation():
    if ConfirmForm().validate_on_submit() and not current_user.email_verified:
        confirm.send_confirmation_after_commit(current_user)
        db.session.commit()
        flash(f"We sent a confirmation link to {current_user.email}.", "success")
    return redirect(url_for("auth.index"))
