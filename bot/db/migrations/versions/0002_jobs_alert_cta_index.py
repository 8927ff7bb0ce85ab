"""jobs: index alerts by CTA (planning finds CTAs without alerts; buttons find messages)

Revision ID: 0002_jobs
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002_jobs"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alerts_cta_id", "alerts", ["cta_id"])


def downgrade() -> None:
    op.drop_index("ix_alerts_cta_id", table_name="alerts")
