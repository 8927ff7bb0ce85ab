"""CSM band overrides: a judgement with a reason and an expiry, kept beside the score.

At most one override per account is active (until on or after the day, not cleared);
setting a new one clears the previous one so the history stays readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.base import utcnow
from bot.db.models import Account, HealthOverride

MAX_SUGGESTIONS = 3


def account_reference(
    *, session: Session, reference: str
) -> tuple[tuple[str, str] | None, list[str]]:
    """Find an account by exact id, else by case-insensitive exact name.

    Returns:
        ((account_id, name), []) when found; (None, close names) when not. The
        command line names accounts precisely; fuzzy matching is the assistant's job.
    """
    text = reference.strip()
    row = session.execute(
        select(Account.account_id, Account.name).where(Account.account_id == text)
    ).first()
    if row is None:
        row = session.execute(
            select(Account.account_id, Account.name)
            .where(func.lower(Account.name) == text.lower())
            .order_by(Account.account_id)
            .limit(1)
        ).first()
    if row is not None:
        return (row.account_id, row.name), []
    from rapidfuzz import process, utils

    names = session.scalars(select(Account.name)).all()
    matches = process.extract(
        text, names, limit=MAX_SUGGESTIONS, score_cutoff=60, processor=utils.default_process
    )
    return None, [match[0] for match in matches]


def active_health_override(*, session: Session, account_id: str, on: date) -> HealthOverride | None:
    query = (
        select(HealthOverride)
        .where(
            HealthOverride.account_id == account_id,
            HealthOverride.cleared_at.is_(None),
            HealthOverride.until >= on,
        )
        .order_by(HealthOverride.created_at.desc(), HealthOverride.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def active_health_overrides(*, session: Session, on: date) -> dict[str, HealthOverride]:
    """Every active override by account (the newest wins if several slipped through)."""
    query = (
        select(HealthOverride)
        .where(HealthOverride.cleared_at.is_(None), HealthOverride.until >= on)
        .order_by(HealthOverride.created_at, HealthOverride.id)
    )
    return {row.account_id: row for row in session.scalars(query)}


def create_health_override(
    *,
    session: Session,
    account_id: str,
    band: str,
    reason: str,
    until: date,
    created_by: str,
    now: datetime | None = None,
) -> HealthOverride:
    """Record an override, clearing any still-active one for the same account."""
    moment = now or utcnow()
    clear_health_overrides(session=session, account_id=account_id, now=moment)
    override = HealthOverride(
        account_id=account_id,
        band=band,
        reason=reason,
        until=until,
        created_by=created_by,
        created_at=moment,
    )
    session.add(override)
    session.flush()
    return override


def clear_health_overrides(
    *, session: Session, account_id: str, now: datetime | None = None
) -> Sequence[HealthOverride]:
    """Clear every uncleared override of the account; returns those cleared."""
    moment = now or utcnow()
    rows = session.scalars(
        select(HealthOverride).where(
            HealthOverride.account_id == account_id, HealthOverride.cleared_at.is_(None)
        )
    ).all()
    for row in rows:
        row.cleared_at = moment
    return rows
