"""The scheduler lease: one row per lease name, held by whoever renewed it last.

Leadership is decided by conditional statements the database serialises, never by a
read-then-write: an UPDATE that only matches when the caller already holds the lease
or the lease has expired, and an INSERT that loses to the unique key when someone
else created the row first. No user text ever reaches these statements.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from bot.db.insert_ignore import insert_ignore
from bot.db.models import SchedulerLease


def acquire_or_renew_lease(
    *, session: Session, name: str, holder: str, now: datetime, ttl: timedelta
) -> bool:
    """Take or extend the lease; True when ``holder`` holds it until ``now + ttl``."""
    expires_at = now + ttl
    result = session.execute(
        update(SchedulerLease)
        .where(
            SchedulerLease.name == name,
            or_(SchedulerLease.holder == holder, SchedulerLease.expires_at <= now),
        )
        .values(holder=holder, expires_at=expires_at)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        return True
    return insert_ignore(
        session,
        SchedulerLease.__table__,  # type: ignore[arg-type]
        {"name": name, "holder": holder, "expires_at": expires_at},
    )


def release_lease(*, session: Session, name: str, holder: str) -> bool:
    """Give the lease up early (clean shutdown) so another replica need not wait for expiry."""
    result = session.execute(
        delete(SchedulerLease).where(SchedulerLease.name == name, SchedulerLease.holder == holder)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def lease_is_held_by(*, session: Session, name: str, holder: str, now: datetime) -> bool:
    """Fencing check a job makes before it runs: is the lease still ours and unexpired?"""
    row = session.scalar(
        select(SchedulerLease).where(
            SchedulerLease.name == name,
            SchedulerLease.holder == holder,
            SchedulerLease.expires_at > now,
        )
    )
    return row is not None
