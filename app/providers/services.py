"""Managing provider accounts: saving them safely and importing their service catalogue."""
from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select

from app.errors import ValidationError
from app.extensions import db
from app.providers.client import SmmV2Client
from app.providers.errors import ProviderError
from app.providers.models import Provider, Service

_REFILL_DAYS = re.compile(r"(\d{1,4})\s*-?\s*days?\b", re.IGNORECASE)


def check_api_url(url: str, allow_private: bool) -> str:
    """An http(s) URL whose host resolves only to public addresses (unless private ones are allowed).

    The desk calls this URL from its own network, so an admin-supplied URL must not reach
    internal services (SSRF): every resolved address is checked, not only the first.
    """
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("The API URL must start with http:// or https:// and name a host.", field="api_url")
    if allow_private:
        return url
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except socket.gaierror:
        raise ValidationError(f"The host {parts.hostname} does not resolve.", field="api_url") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            raise ValidationError(f"The host {parts.hostname} resolves to a private address ({address}).",
                                  field="api_url")
    return url


def save_provider(provider: Provider | None, *, name: str, api_url: str, api_key: str | None,
                  is_active: bool, allow_private: bool) -> Provider:
    """Create or update an account. An empty key keeps the stored one: keys are write-only."""
    name = name.strip()
    if not name:
        raise ValidationError("Give the provider a name.", field="name")
    clash = db.session.scalar(select(Provider).where(Provider.name == name))
    if clash is not None and clash is not provider:
        raise ValidationError("Another provider already has this name.", field="name")
    if provider is None:
        if not api_key:
            raise ValidationError("Enter the provider's API key.", field="api_key")
        provider = Provider(name=name, api_url="", api_key="")
        db.session.add(provider)
    provider.name, provider.is_active = name, is_active
    provider.api_url = check_api_url(api_url, allow_private)
    if api_key:
        provider.api_key = api_key.strip()
    db.session.flush()
    return provider


@dataclass(frozen=True)
class SyncResult:
    added: int
    updated: int


def refill_days_from_name(name: str, refill: bool) -> int:
    """Providers name the refill window ("30-day refill", "Refill 365 days"); 0 means unknown."""
    if not refill:
        return 0
    match = _REFILL_DAYS.search(name)
    return int(match.group(1)) if match else 0


def sync_services(provider: Provider, timeout: float = 20.0) -> SyncResult:
    """Import or update the provider's services from its `services` action."""
    try:
        with SmmV2Client.from_provider(provider, timeout=timeout) as client:
            offered = client.services()
    except ProviderError as error:
        raise ValidationError(f"{provider.name} did not list its services: {error}") from None
    existing = {s.provider_service_id: s for s in provider.services}
    added = updated = 0
    for item in offered:
        service = existing.get(str(item.service))
        if service is None:
            service = Service(provider=provider, provider_service_id=str(item.service))
            db.session.add(service)
            added += 1
        else:
            updated += 1
        service.name, service.category, service.rate = item.name[:200], item.category[:120], item.rate
        service.refill, service.cancel = item.refill, item.cancel
        service.refill_days = refill_days_from_name(item.name, item.refill) or service.refill_days or 0
    db.session.flush()
    return SyncResult(added, updated)
