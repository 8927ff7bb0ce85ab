"""``csbot sync status``: per source and object, the last success, cursor, lag, rows, last error.

Read-only; the lag is the time since the last successful run (how far behind the
store may be), measured against the caller's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from bot.db.sync_state import all_sync_states


@dataclass(frozen=True, slots=True)
class ObjectStatus:
    source: str
    object_name: str
    table: str
    cursor: str | None
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    lag_seconds: float | None
    rows_changed: int
    deleted_seen: int
    last_error: str | None
    last_error_at: datetime | None

    def to_dict(self) -> dict[str, object]:
        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment else None

        return {
            "source": self.source,
            "object": self.object_name,
            "table": self.table,
            "last_success_at": iso(self.last_success_at),
            "last_attempt_at": iso(self.last_attempt_at),
            "cursor": self.cursor,
            "lag_seconds": None if self.lag_seconds is None else round(self.lag_seconds, 1),
            "rows_changed": self.rows_changed,
            "deleted_in_source": self.deleted_seen,
            "last_error": self.last_error,
            "last_error_at": iso(self.last_error_at),
        }


def sync_status(engine: Engine, *, now: datetime, source: str | None = None) -> list[ObjectStatus]:
    with engine.connect() as connection:
        states = all_sync_states(connection)
    return [
        ObjectStatus(
            source=s.source,
            object_name=s.object_name,
            table=s.table_name,
            cursor=s.cursor,
            last_success_at=s.last_success_at,
            last_attempt_at=s.last_attempt_at,
            lag_seconds=(now - s.last_success_at).total_seconds() if s.last_success_at else None,
            rows_changed=s.rows_changed,
            deleted_seen=s.deleted_seen,
            last_error=s.last_error,
            last_error_at=s.last_error_at,
        )
        for s in states
        if source is None or s.source == source
    ]
