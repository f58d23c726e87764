"""JSON API v1. Authenticated only by `Authorization: Bearer TOKEN`, never by the session cookie."""
from app.api import orders, tickets  # noqa: F401  (their routes register on bp)
from app.wallet import api as wallet_api  # noqa: F401  (GET /api/v1/wallet registers on bp)
from app.api.base import bp  # noqa: F401
