"""Admins manage provider accounts: keys are write-only, URLs are checked, services are imported."""
from __future__ import annotations

import pytest

from app.errors import ValidationError
from app.extensions import db
from app.providers.demo_server import DemoProviderServer
from app.providers.models import Provider, Service
from app.providers.services import check_api_url, refill_days_from_name
from tests.conftest import csrf_token

KEY = "sk-live-9a8b7c6d5e4f-SECRET"


@pytest.fixture
def web(app):
    """A browser-like test client (this folder's `client` fixture is the SMM API client)."""
    return app.test_client()


@pytest.fixture
def allow_loopback(app):
    app.config["PROVIDER_ALLOW_PRIVATE_URLS"] = True
    yield
    app.config["PROVIDER_ALLOW_PRIVATE_URLS"] = False


def test_admin_adds_provider_and_imports_services(allow_loopback, make_user, login, web, ctx):
    login(make_user("admin"), web)
    with DemoProviderServer(KEY) as server:
        token = csrf_token(web.get("/admin/providers/new").get_data(as_text=True))
        response = web.post("/admin/providers/new", data={
            "csrf_token": token, "name": "Upstream One", "api_url": server.url, "api_key": KEY, "is_active": "y"})
        assert response.status_code == 302
        provider = db.session.scalars(db.select(Provider)).one()
        listing = web.get("/admin/providers/").get_data(as_text=True)
        edit_page = web.get(f"/admin/providers/{provider.id}").get_data(as_text=True)
        assert KEY not in listing and KEY not in edit_page and "Upstream One" in listing
        web.post(f"/admin/providers/{provider.id}/sync", data={"csrf_token": token})
        services = {s.provider_service_id: s for s in db.session.scalars(db.select(Service))}
        assert len(services) == 10
        assert services["101"].refill and services["101"].refill_days == 30
        assert services["102"].refill_days == 365 and not services["103"].refill
        web.post(f"/admin/providers/{provider.id}", data={
            "csrf_token": token, "name": "Upstream One", "api_url": server.url, "api_key": "", "is_active": "y"})
        db.session.expire_all()
        assert db.session.get(Provider, provider.id).api_key == KEY  # an empty key field keeps the key


def test_sync_failure_is_a_clear_message(allow_loopback, make_user, login, web, ctx):
    login(make_user("admin"), web)
    provider = Provider(name="Down", api_url="http://127.0.0.1:9/api/v2", api_key=KEY)
    db.session.add(provider)
    db.session.commit()
    token = csrf_token(web.get("/admin/providers/").get_data(as_text=True))
    page = web.post(f"/admin/providers/{provider.id}/sync", data={"csrf_token": token}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "Down did not list its services" in html and KEY not in html


def test_agents_cannot_manage_providers(make_user, login, web):
    login(make_user("agent"), web)
    assert web.get("/admin/providers/").status_code == 404


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.example/api", "http:///nohost", "http://127.0.0.1/api",
                                 "http://localhost:6379/", "http://[::1]/", "http://10.1.2.3/", "http://169.254.169.254/"])
def test_private_or_odd_urls_are_refused(url):
    with pytest.raises(ValidationError):
        check_api_url(url, allow_private=False)


def test_refill_days_from_names():
    assert refill_days_from_name("Instagram Followers [30-day refill]", True) == 30
    assert refill_days_from_name("Likes | Refill 365 Days", True) == 365
    assert refill_days_from_name("Views [lifetime refill]", True) == 0
    assert refill_days_from_name("Views 30 days no refill", False) == 0
