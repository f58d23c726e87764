"""ledger entries are append-only in PostgreSQL itself: UPDATE and DELETE raise

Revision ID: a1f3c9d2b7e4
Revises: c23e37e0e177
Create Date: 2026-11-25 10:40:00

The application never updates or deletes a ledger entry (a correction is a reversing
entry); this trigger makes the database refuse it too, whoever connects. SQLite has no
equivalent worth the complexity, so there the guard is the application's alone.
"""
from alembic import op

revision = "a1f3c9d2b7e4"
down_revision = "c23e37e0e177"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE OR REPLACE FUNCTION ledger_entries_append_only() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'ledger_entries is append-only: add a reversing entry instead of %', TG_OP;
        END;
        $$ LANGUAGE plpgsql
    """)
    op.execute("""
        CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
        FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only()
    """)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER ledger_entries_append_only ON ledger_entries")
    op.execute("DROP FUNCTION ledger_entries_append_only()")
