"""knowledge: ticket_churn_intent (churn intent per ticket, a signal of its own)

Revision ID: 0003_churn_intent
Revises: 0002_jobs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0003_churn_intent"
down_revision = "0002_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ticket_churn_intent",
        sa.Column("ticket_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("detected", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("evidence", sa.String(length=200), nullable=True),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_ticket_churn_intent")),
    )
    with op.batch_alter_table("ticket_churn_intent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ticket_churn_intent_account_id"), ["account_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ticket_churn_intent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_churn_intent_account_id"))
    op.drop_table("ticket_churn_intent")
