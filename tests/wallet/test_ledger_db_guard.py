"""Ledger entries are append-only: the ORM refuses changes everywhere, PostgreSQL refuses them itself too."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from app.wallet.models import LedgerEntry


@pytest.fixture
def entry(make_user, ctx):
    customer = make_user("customer")
    row = LedgerEntry(customer_id=customer.id, kind="deposit", amount=Decimal("10"), cause="deposit:1")
    db.session.add(row)
    db.session.commit()
    return row


def test_the_orm_refuses_to_change_an_entry(entry):
    entry.amount = Decimal("1000")
    with pytest.raises(ValueError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    db.session.delete(entry)
    with pytest.raises(ValueError, match="append-only"):
        db.session.commit()
    db.session.rollback()


def test_postgresql_refuses_raw_updates_and_deletes(entry):
    if db.engine.dialect.name != "postgresql":
        return  # SQLite has no trigger: the ORM guard above is its only line
    for statement in ("UPDATE ledger_entries SET amount = 1000", "DELETE FROM ledger_entries"):
        with pytest.raises(DBAPIError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(text(statement))
    assert db.session.scalar(db.select(LedgerEntry.amount)) == Decimal("10.00000")
