"""Sign-up, login and logout pages."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import services
from app.auth.forms import LoginForm, SignupForm
from app.errors import ValidationError
from app.extensions import db, limiter
from app.security import safe_next_url

bp = Blueprint("auth", __name__)

GENERIC_LOGIN_ERROR = "That email and password do not match an account."
SIGNUP_DONE = "Thanks. If the address was new, your account is ready: log in below."


def _login_limit() -> str:
    return current_app.config["LOGIN_LIMITS"]


def _account_key() -> str:
    return "login-account:" + services.normalise_email(request.form.get("email", ""))


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
            services.create_user(form.email.data, form.password.data, form.name.data)
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
