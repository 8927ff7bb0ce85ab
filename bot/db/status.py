"""Store status: row counts per table and how fresh each source is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.base import utcnow
from bot.db.models import CONTRACT_MODELS, Base, SourceLoad
from bot.staleness import FeedCheck, StalenessRule


@dataclass(frozen=True)
class SourceFreshness:
    source: str
    rows: int
    last_loaded_at: datetime | None
    data_as_of: datetime | None
    check: FeedCheck

    @property
    def stale(self) -> bool:
        """Not loaded within its expected interval, or never loaded while it holds rows."""
        if self.last_loaded_at is None:
            return self.rows > 0
        return self.check.stale

    @property
    def age(self) -> timedelta | None:
        """Time since the last load (as of the check's ``now``)."""
        return self.check.since_load


def table_counts(*, session: Session) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        counts[table.name] = int(
            session.execute(select(func.count()).select_from(table)).scalar_one()
        )
    return counts


def source_freshness(
    *, session: Session, rule: StalenessRule, now: datetime | None = None
) -> list[SourceFreshness]:
    """Every contract source, loaded or not, judged by ``rule`` (time since its last load)."""
    now = now or utcnow()
    loads = {load.source: load for load in session.scalars(select(SourceLoad))}
    result: list[SourceFreshness] = []
    for model in CONTRACT_MODELS:
        name = model.__tablename__
        rows = int(session.execute(select(func.count()).select_from(model)).scalar_one())
        load = loads.get(name)
        loaded_at = None if load is None else load.last_loaded_at
        data_as_of = None if load is None else load.data_as_of
        check = rule.check(name, loaded_at, now)
        result.append(SourceFreshness(name, rows, loaded_at, data_as_of, check))
    return result
