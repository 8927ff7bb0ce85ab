"""webhooks: webhook_inbox (verified deliveries queued by source and event id)

Revision ID: 0006_webhook_inbox
Revises: 0005_crm_writeback
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_webhook_inbox"
down_revision = "0005_crm_writeback"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_inbox",
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("event_type", sa.String(length=120), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("source", "event_id", name=op.f("pk_webhook_inbox")),
    )
    op.create_index("ix_webhook_inbox_status_received", "webhook_inbox", ["status", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_webhook_inbox_status_received", table_name="webhook_inbox")
    op.drop_table("webhook_inbox")
