"""What a first start needs to know about the store: is it empty, has it ever been scored."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Account, HealthScore


def store_has_accounts(*, session: Session) -> bool:
    return session.execute(select(Account.account_id).limit(1)).first() is not None


def scored_days(*, session: Session) -> set[date]:
    """The days that already have health snapshots (the history trends are read from)."""
    return set(session.scalars(select(HealthScore.as_of).group_by(HealthScore.as_of)))


def latest_scored_day(*, session: Session) -> date | None:
    return session.execute(select(func.max(HealthScore.as_of))).scalar_one_or_none()
