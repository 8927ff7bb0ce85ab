"""Product usage for one account over date windows (primary-key range reads)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import UsageDaily
from bot.db.queries.records import UsageWindow


def latest_usage_date(*, session: Session, account_id: str) -> date | None:
    return session.scalar(
        select(func.max(UsageDaily.date)).where(UsageDaily.account_id == account_id)
    )


def usage_window(*, session: Session, account_id: str, start: date, end: date) -> UsageWindow:
    """Totals and daily averages of usage between ``start`` and ``end`` (inclusive)."""
    days, active, logins, events, minutes, features = session.execute(
        select(
            func.count(),
            func.avg(UsageDaily.active_users),
            func.sum(UsageDaily.logins),
            func.sum(UsageDaily.events),
            func.sum(UsageDaily.session_minutes),
            func.avg(UsageDaily.features_used),
        ).where(
            UsageDaily.account_id == account_id,
            UsageDaily.date >= start,
            UsageDaily.date <= end,
        )
    ).one()
    return UsageWindow(
        start=start,
        end=end,
        days_with_data=int(days or 0),
        avg_active_users=float(active) if active is not None else None,
        logins=int(logins or 0),
        events=int(events or 0),
        session_minutes=float(minutes or 0.0),
        avg_features_used=float(features) if features is not None else None,
    )
