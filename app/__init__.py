"""The application factory. Building the app does no I/O: no database, Redis or network."""
from __future__ import annotations

import os

from flask import Flask
from werkzeug.routing import IntegerConverter

from app.config import DEV_SECRET_KEY, Config, normalise_database_url
from app import extensions as ext
from app.db import format_money
from app.redis_conn import limiter_storage_uri
from app.security import is_http_url, set_security_headers


def create_app(config: type | dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    _load_config(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_templates(app)
    from app.errors import register_error_handlers

    register_error_handlers(app)
    app.after_request(set_security_headers)
    return app


def _load_config(app: Flask, config) -> None:
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    app.config.from_prefixed_env("DESK")
    if os.environ.get("DATABASE_URL") and app.config["SECRET_KEY"] == DEV_SECRET_KEY and not app.testing:
        raise RuntimeError("SECRET_KEY must be set in production (DATABASE_URL is set): sessions depend on it")
    database_url = app.config.get("SQLALCHEMY_DATABASE_URI") or os.environ.get("DATABASE_URL")
    if not database_url:
        os.makedirs(app.instance_path, exist_ok=True)
        database_url = "sqlite:///" + os.path.join(app.instance_path, "desk.db")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(database_url)
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = os.path.join(app.instance_path, "uploads")
    app.config.setdefault("RATELIMIT_STORAGE_URI", limiter_storage_uri(app.config.get("REDIS_URL")))


def register_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (every table registered before migrations look)

    ext.db.init_app(app)
    ext.migrate.init_app(app, ext.db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    ext.csrf.init_app(app)
    ext.limiter.init_app(app)
    ext.login_manager.init_app(app)
    ext.login_manager.login_view = "auth.login"
    ext.login_manager.login_message = "Please log in to continue."
    ext.login_manager.session_protection = "strong"
    from app.auth.services import load_user

    ext.login_manager.user_loader(load_user)


class RowIdConverter(IntegerConverter):
    """`<int:id>` that only matches ids a 64-bit key can hold: a 30-digit id is a 404, not a crash."""

    def __init__(self, url_map, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, **kwargs)


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = RowIdConverter
    from app.actions.views import bp as actions_bp
    from app.admin.views import bp as admin_bp
    from app.api import bp as api_bp
    from app.attachments.views import bp as attachments_bp
    from app.auth.views import bp as auth_bp
    from app.intake.views import admin_bp as intake_admin_bp
    from app.intake.views import api_bp as intake_api_bp
    from app.mail import outbox  # noqa: F401  (installs the after-commit email outbox hooks)
    from app.orders.views import bp as orders_bp
    from app.providers.views import bp as providers_bp
    from app.reports.views import bp as reports_bp
    from app.tickets.desk_views import bp as desk_bp
    from app.tickets.portal_views import bp as portal_bp
    from app.triage.views import bp as triage_bp
    from app.wallet.views import bp as wallet_bp

    for blueprint in (auth_bp, portal_bp, desk_bp, triage_bp, orders_bp, attachments_bp, actions_bp, wallet_bp,
                      reports_bp, admin_bp, providers_bp, intake_admin_bp, api_bp, intake_api_bp):
        app.register_blueprint(blueprint)
    ext.csrf.exempt(api_bp)  # bearer tokens, never cookies: no ambient authority to forge
    ext.csrf.exempt(intake_api_bp)  # a mail relay's shared token, never a cookie


def register_cli(app: Flask) -> None:
    from app.cli import register_commands

    register_commands(app)


def register_templates(app: Flask) -> None:
    from app.tickets.models import REASONS, STATUS_LABELS

    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["http_url"] = is_http_url
    app.jinja_env.globals.update(STATUS_LABELS=STATUS_LABELS, REASONS=REASONS)
