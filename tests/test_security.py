"""Headers on every kind of response, request limits, and CORS."""
from __future__ import annotations

import io


def test_security_headers_on_html_and_json(client):
    for response in (client.get("/login"), client.get("/api/v1/tickets")):
        headers = response.headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"


def test_no_cors_for_foreign_origins(client):
    response = client.get("/api/v1/tickets", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_oversized_request_is_refused(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/login", data={"f": (io.BytesIO(b"x" * (limit + 1)), "big.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 413


def test_no_inline_script_in_pages(login, make_user, client):
    login(make_user("agent"))
    html = client.get("/desk/").get_data(as_text=True)
    assert "<script>" not in html and "onclick=" not in html


def test_production_refuses_the_development_secret(monkeypatch):
    import pytest

    from app import create_app

    monkeypatch.setenv("DATABASE_URL", "postgresql://example.invalid/desk")
    monkeypatch.delenv("DESK_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        create_app()
