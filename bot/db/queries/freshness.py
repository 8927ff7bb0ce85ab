"""When each source was last loaded: the basis of every answer's "data as of" line."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import SourceLoad
from bot.db.queries.records import SourceFreshness


def source_freshness(*, session: Session) -> dict[str, SourceFreshness]:
    rows = session.scalars(select(SourceLoad)).all()
    return {
        row.source: SourceFreshness(
            source=row.source,
            last_loaded_at=row.last_loaded_at,
            data_as_of=row.data_as_of,
            rows_loaded=int(row.rows_loaded or 0),
        )
        for row in rows
    }
