"""Writeback state: each account's latest health snapshot, and what was last pushed to a CRM.

The one place the writeback's SQL lives; ``bot.sources.writeback`` plans and sends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from bot.db.insert_ignore import dialect_insert
from bot.db.models import Account, CrmWritebackValue, HealthScore

_pushed = CrmWritebackValue.__table__


@dataclass(frozen=True)
class LatestScore:
    """An account's newest snapshot, as writeback sends it."""

    account_id: str
    as_of: date
    score: float
    band: str
    churn_risk: float | None
    drivers: list[Any]
    computed_at: datetime


@dataclass(frozen=True)
class PushedValue:
    account_id: str
    record_id: str
    field: str
    value: str | None


def latest_scores(*, session: Session) -> list[LatestScore]:
    """Each active account's latest snapshot (one row per account), by account id."""
    newest = (
        select(HealthScore.account_id, func.max(HealthScore.as_of).label("as_of"))
        .group_by(HealthScore.account_id)
        .subquery()
    )
    query = (
        select(HealthScore)
        .join(
            newest,
            and_(
                HealthScore.account_id == newest.c.account_id,
                HealthScore.as_of == newest.c.as_of,
            ),
        )
        .join(Account, Account.account_id == HealthScore.account_id)
        .where(Account.status == "active")
        .order_by(HealthScore.account_id)
    )
    return [
        LatestScore(
            account_id=row.account_id,
            as_of=row.as_of,
            score=row.score,
            band=row.band,
            churn_risk=row.churn_risk,
            drivers=list(row.drivers or []),
            computed_at=row.computed_at,
        )
        for row in session.scalars(query)
    ]


def pushed_values(*, session: Session, crm: str) -> dict[tuple[str, str], PushedValue]:
    """What was last pushed to ``crm``, keyed by (account id, CRM field)."""
    rows = session.scalars(select(CrmWritebackValue).where(CrmWritebackValue.crm == crm))
    return {
        (row.account_id, row.field): PushedValue(
            row.account_id, row.record_id, row.field, row.value
        )
        for row in rows
    }


def record_pushed(
    *, session: Session, crm: str, values: Sequence[PushedValue], at: datetime
) -> int:
    """Remember values the CRM accepted (insert or replace by crm, account and field)."""
    if not values:
        return 0
    statement = dialect_insert(session.get_bind().dialect.name, _pushed)
    statement = statement.on_conflict_do_update(
        index_elements=["crm", "account_id", "field"],
        set_={
            "record_id": statement.excluded.record_id,
            "value": statement.excluded.value,
            "pushed_at": statement.excluded.pushed_at,
        },
    )
    rows = [
        {
            "crm": crm,
            "account_id": value.account_id,
            "field": value.field,
            "record_id": value.record_id,
            "value": value.value,
            "pushed_at": at,
        }
        for value in values
    ]
    for start in range(0, len(rows), 500):
        session.execute(statement, rows[start : start + 500])
    return len(rows)
