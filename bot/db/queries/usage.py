"""Product usage for one account over date windows (primary-key range reads)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Account, UsageDaily
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


#: "Seats used" (see ``bot.services.metrics.glossary``): the 30 complete days before the
#: day measured on, as the health score's usage measures read them (``scoring.measures``).
SEATS_WINDOW_DAYS = 30


@dataclass(frozen=True, slots=True)
class SeatUse:
    """Average daily active users over licensed seats, in the glossary's window."""

    start: date
    end: date
    avg_active_users: float
    licensed_seats: int

    @property
    def share(self) -> float:
        return self.avg_active_users / self.licensed_seats


def seat_window(day: date) -> tuple[date, date]:
    """[start, end] of the seats-used window measured on ``day`` (``day`` itself is out:
    its row is a partial day)."""
    return day - timedelta(days=SEATS_WINDOW_DAYS), day - timedelta(days=1)


def seats_used(*, session: Session, account_id: str, day: date) -> SeatUse | None:
    """Seats used measured on ``day``: active users summed over the window ÷ its days.

    A day with no usage row counts as 0, as in the health score; None when the account
    has no licensed seats or no usage on record at all (the score's "no data").
    """
    seats = session.scalar(select(Account.licensed_seats).where(Account.account_id == account_id))
    if not seats:
        return None
    if latest_usage_date(session=session, account_id=account_id) is None:
        return None
    start, end = seat_window(day)
    total = session.scalar(
        select(func.coalesce(func.sum(UsageDaily.active_users), 0)).where(
            UsageDaily.account_id == account_id,
            UsageDaily.date >= start,
            UsageDaily.date <= end,
        )
    )
    return SeatUse(start, end, float(total or 0) / SEATS_WINDOW_DAYS, int(seats))
