"""Health snapshots: one account's history, and the portfolio on a scoring date.

Per-account reads use the (account_id, as_of) primary key. Portfolio reads treat
a scoring run as a portfolio-wide snapshot: the scoring job scores every active
account with one ``as_of``, so "current health" for a list is the rows on the
latest scoring date (an index range on ``as_of``), never a group-by over the
whole history, which is what keeps lists fast at 20,000 accounts × 180 days.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Subquery, and_, func, select
from sqlalchemy.orm import Session, aliased

from bot.db.models import Account, HealthOverride, HealthScore
from bot.db.queries.records import HealthOverrideRecord, HealthSnapshot


def _snapshot(row: HealthScore) -> HealthSnapshot:
    return HealthSnapshot(
        account_id=row.account_id,
        as_of=row.as_of,
        score=float(row.score),
        band=row.band,
        computed_band=row.computed_band,
        components=dict(row.components or {}),
        drivers=[d for d in (row.drivers or []) if isinstance(d, dict)],
        missing_components=list(row.missing_components or []),
        churn_risk=row.churn_risk,
        expansion=row.expansion,
        stage=row.stage,
        config_version=row.config_version,
    )


def latest_snapshot(*, session: Session, account_id: str) -> HealthSnapshot | None:
    return snapshot_on_or_before(session=session, account_id=account_id, day=None)


def snapshot_on_or_before(
    *, session: Session, account_id: str, day: date | None
) -> HealthSnapshot | None:
    """The account's newest snapshot no later than ``day`` (``None``: the newest of all)."""
    query = select(HealthScore).where(HealthScore.account_id == account_id)
    if day is not None:
        query = query.where(HealthScore.as_of <= day)
    row = session.scalars(query.order_by(HealthScore.as_of.desc()).limit(1)).first()
    return _snapshot(row) if row else None


def latest_scoring_date(*, session: Session) -> date | None:
    """The date of the newest scoring run (max over the ``as_of`` index)."""
    return session.scalar(select(func.max(HealthScore.as_of)))


def scoring_date_on_or_before(*, session: Session, day: date) -> date | None:
    """The newest scoring run no later than ``day``: the baseline for week/month changes."""
    return session.scalar(select(func.max(HealthScore.as_of)).where(HealthScore.as_of <= day))


def active_override(
    *, session: Session, account_id: str, today: date
) -> HealthOverrideRecord | None:
    """The newest band override still in force (until today or later, not cleared)."""
    row = session.scalars(
        select(HealthOverride)
        .where(
            HealthOverride.account_id == account_id,
            HealthOverride.until >= today,
            HealthOverride.cleared_at.is_(None),
        )
        .order_by(HealthOverride.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return HealthOverrideRecord(
        account_id=row.account_id,
        band=row.band,
        reason=row.reason,
        until=row.until,
        created_by=row.created_by,
    )


def active_overrides_subquery(today: date) -> Subquery:
    """(account_id, band) of each account's newest override in force on ``today``."""
    newest = (
        select(func.max(HealthOverride.id).label("id"))
        .where(HealthOverride.until >= today, HealthOverride.cleared_at.is_(None))
        .group_by(HealthOverride.account_id)
        .subquery("newest_override")
    )
    return (
        select(HealthOverride.account_id, HealthOverride.band)
        .join(newest, newest.c.id == HealthOverride.id)
        .subquery("active_override")
    )


def effective_band(health: Any, override: Subquery) -> ColumnElement[Any]:
    """The band people see: an override in force wins over the computed band."""
    return func.coalesce(override.c.band, health.band)


def health_on(scoring_date: date | None) -> tuple[Any, Any]:
    """An aliased ``health_scores`` and the join condition for rows on ``scoring_date``.

    Returned as a pair so callers can outer-join it: accounts not scored on that
    date still appear (with no band) instead of silently dropping out of a list.
    """
    health = aliased(HealthScore, name="health_now")
    condition = and_(health.account_id == Account.account_id, health.as_of == scoring_date)
    return health, condition
