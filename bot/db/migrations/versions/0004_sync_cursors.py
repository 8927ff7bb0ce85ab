"""sync: sync_cursors (per source and object: cursor, last success, last error)

Revision ID: 0004_sync_cursors
Revises: 0003_churn_intent
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_sync_cursors"
down_revision = "0003_churn_intent"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_cursors",
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("object_name", sa.String(length=64), nullable=False),
        sa.Column("table_name", sa.String(length=32), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rows_changed", sa.Integer(), nullable=False),
        sa.Column("deleted_seen", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("source", "object_name", name=op.f("pk_sync_cursors")),
    )


def downgrade() -> None:
    op.drop_table("sync_cursors")
