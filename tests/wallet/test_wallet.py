"""The ledger: database-enforced single refund per (order, cause), exact balances, the wallet API and pages."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from app.errors import ValidationError
from app.extensions import db
from app.wallet import services as wallet
from app.wallet.models import LedgerEntry
from tests.actions.support import assert_ledger_invariant


@pytest.fixture
def funded(make_user, make_order, ctx):
    customer = make_user("customer")
    order = make_order(customer, status="Canceled", charge=Decimal("2.50"))
    wallet.deposit(customer.id, Decimal("10"), "gw-1")
    wallet.charge_order(order)
    wallet.credit_refund(order, Decimal("2.50"), "status:canceled")
    db.session.commit()
    return customer, order


def test_balance_is_the_sum_of_entries(funded):
    customer, _ = funded
    assert wallet.balance(customer.id) == Decimal("10.00000")
    assert_ledger_invariant()


def test_the_database_refuses_a_second_refund_for_the_same_order_and_cause(funded):
    customer, order = funded
    db.session.add(LedgerEntry(customer_id=customer.id, kind="refund_credit", amount=Decimal("2.5"),
                               order_id=order.id, cause="status:canceled"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_entries_are_append_only(funded):
    customer, _ = funded
    entry = wallet.history(customer.id)[0]
    entry.amount = Decimal("1000")
    with pytest.raises(ValueError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(wallet.history(customer.id)[0])
    with pytest.raises(ValueError, match="append-only"):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("raw", ["NaN", "inf", "1e309", "0", "-1", "abc", "0.000001"])
def test_bad_amounts_are_refused(raw, make_user, ctx):
    with pytest.raises(ValidationError):
        wallet.deposit(make_user("customer").id, raw, "gw")


def test_api_wallet_shape_and_cross_customer(funded, make_user, api):
    customer, order = funded
    other = make_user("customer")
    body = api(customer).get("/api/v1/wallet").json
    assert body["balance"] == "10.00" and body["currency"] == "USD"
    assert [(e["kind"], e["amount"], e["order_id"]) for e in body["entries"]] == [
        ("refund_credit", "2.50", order.panel_id), ("charge", "-2.50", order.panel_id), ("deposit", "10.00", None)]
    assert set(body["entries"][0]) == {"id", "kind", "amount", "order_id", "ticket_id", "created_at"}
    # a customer cannot name someone else: they always get their own
    assert api(other).get(f"/api/v1/wallet?customer={customer.email}").json == {
        "balance": "0.00", "currency": "USD", "entries": []}
    agent = api(make_user("agent"))
    assert agent.get(f"/api/v1/wallet?customer={customer.email}").json["balance"] == "10.00"
    assert agent.get("/api/v1/wallet?customer=nobody@example.com").status_code == 404
    assert agent.get("/api/v1/wallet").status_code == 422
    assert api(customer).client.get("/api/v1/wallet").status_code == 401


def test_wallet_pages(funded, make_user, login, client, app):
    customer, order = funded
    login(customer)
    page = client.get("/wallet").get_data(as_text=True)
    assert "10.00 USD" in page and order.panel_id in page
    assert client.get(f"/desk/wallet?customer={customer.email}").status_code == 404
    other_client = app.test_client()
    login(make_user("agent"), other_client)
    assert "10.00 USD" in other_client.get(f"/desk/wallet?customer={customer.email}").get_data(as_text=True)
    assert other_client.get("/desk/wallet?customer=nobody@example.com").status_code == 404
