"""indexes for the order poll (orders.status) and for finishing (ledger_entries.action_id)

Revision ID: b7d2e4f6a8c1
Revises: a1f3c9d2b7e4
Create Date: 2026-11-25 11:00:00

"""
from alembic import op

revision = "b7d2e4f6a8c1"
down_revision = "a1f3c9d2b7e4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_status", ["status"], unique=False)
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_entries_action", ["action_id"], unique=False)


def downgrade():
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_entries_action")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_status")
