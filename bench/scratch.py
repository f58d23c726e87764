"""A desk app on a scratch database, its schema built by the migrations: what every benchmark starts from."""
from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.config import TestConfig
from app.extensions import db


def scratch_app(url: str):
    """Empty the database at `url` (never point it at one you keep) and migrate it."""
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=url, REDIS_URL="redis://127.0.0.1:1/0")
    app = create_app(settings)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
    return app
