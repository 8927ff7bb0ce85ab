"""writeback: crm_writeback_values (the value last pushed per CRM, account and field)

Revision ID: 0005_crm_writeback
Revises: 0004_sync_cursors
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0005_crm_writeback"
down_revision = "0004_sync_cursors"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crm_writeback_values",
        sa.Column("crm", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=120), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("pushed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("crm", "account_id", "field", name=op.f("pk_crm_writeback_values")),
    )


def downgrade() -> None:
    op.drop_table("crm_writeback_values")
