"""Small builders for report tests: rows with exact times and amounts, straight from the models."""
from __future__ import annotations

import itertools
from datetime import datetime, timezone
from decimal import Decimal
from html.parser import HTMLParser

from app.extensions import db
from app.orders.models import Order
from app.providers.models import Provider, Service
from app.wallet.models import LedgerEntry

_serial = itertools.count(1)


def at(text: str) -> datetime:
    """'2026-03-01 10:00' as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def provider_with_services(name: str, *service_names: str) -> list[Service]:
    provider = Provider(name=name, api_url="http://127.0.0.1:9/api/v2", api_key="k")
    services = [Service(provider=provider, provider_service_id=str(next(_serial)), name=n) for n in service_names]
    db.session.add_all([provider, *services])
    db.session.flush()
    return services


def order(customer, service, created: str, charge: str, status: str = "Completed", link: str | None = None,
          changed: str | None = None) -> Order:
    o = Order(panel_id=f"SMM{70000 + next(_serial)}", customer_id=customer.id, service_id=service.id,
              link=link or f"https://www.instagram.com/p/{next(_serial)}/", quantity=1000, charge=Decimal(charge),
              status=status, created_at=at(created), status_changed_at=at(changed or created))
    db.session.add(o)
    db.session.flush()
    return o


def refund(o: Order, when: str, amount: str, cause: str = "status:Canceled") -> LedgerEntry:
    entry = LedgerEntry(customer_id=o.customer_id, kind="refund_credit", amount=Decimal(amount), order_id=o.id,
                        cause=cause, created_at=at(when))
    db.session.add(entry)
    db.session.flush()
    return entry


class TableParser(HTMLParser):
    """The page's report tables as {slug: [header, *rows]} of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables, self._slug, self._row, self._cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self._slug = attrs["data-table"]
            self.tables[self._slug] = []
        elif self._slug and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join(self._cell.split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row and not (len(self._row) == 1 and self._row[0] == "Nothing in this period."):
                self.tables[self._slug].append(self._row)
            self._row = None
        elif tag == "table":
            self._slug = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def page_tables(html: str) -> dict[str, list[list[str]]]:
    parser = TableParser()
    parser.feed(html)
    return parser.tables
