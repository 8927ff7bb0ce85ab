"""Store status: row counts per table and how fresh each source is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.base import utcnow
from bot.db.models import CONTRACT_MODELS, Base, SourceLoad


@dataclass(frozen=True)
class SourceFreshness:
    source: str
    rows: int
    last_loaded_at: datetime | None
    data_as_of: datetime | None
    stale: bool

    @property
    def age(self) -> timedelta | None:
        return None if self.last_loaded_at is None else utcnow() - self.last_loaded_at


def table_counts(*, session: Session) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        counts[table.name] = int(
            session.execute(select(func.count()).select_from(table)).scalar_one()
        )
    return counts


def source_freshness(
    *, session: Session, stale_after: timedelta, now: datetime | None = None
) -> list[SourceFreshness]:
    """Every contract source, loaded or not; a source is stale when its last load is too old."""
    now = now or utcnow()
    loads = {load.source: load for load in session.scalars(select(SourceLoad))}
    result: list[SourceFreshness] = []
    for model in CONTRACT_MODELS:
        name = model.__tablename__
        rows = int(session.execute(select(func.count()).select_from(model)).scalar_one())
        load = loads.get(name)
        if load is None:
            result.append(SourceFreshness(name, rows, None, None, stale=rows > 0))
            continue
        stale = now - load.last_loaded_at > stale_after
        result.append(SourceFreshness(name, rows, load.last_loaded_at, load.data_as_of, stale))
    return result
