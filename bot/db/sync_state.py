"""The sync engine's SQL: cursors per source object, owner lookup by email, deactivation.

Every function takes the caller's ``Connection`` and never commits: the engine writes a
page of rows, its cursor and its freshness in one transaction. Identifiers are fixed
here; every value is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select, update

from bot.db.insert_ignore import dialect_insert
from bot.db.models import Contact, Csm, SyncCursor

MAX_ERROR_CHARS = 500


@dataclass(frozen=True, slots=True)
class SyncState:
    source: str
    object_name: str
    table_name: str
    cursor: str | None
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    rows_changed: int
    deleted_seen: int
    last_error: str | None
    last_error_at: datetime | None


_CURSORS = SyncCursor.__table__


def _state(row: object) -> SyncState:
    return SyncState(
        source=row.source,  # type: ignore[attr-defined]
        object_name=row.object_name,  # type: ignore[attr-defined]
        table_name=row.table_name,  # type: ignore[attr-defined]
        cursor=row.cursor,  # type: ignore[attr-defined]
        last_attempt_at=row.last_attempt_at,  # type: ignore[attr-defined]
        last_success_at=row.last_success_at,  # type: ignore[attr-defined]
        rows_changed=int(row.rows_changed or 0),  # type: ignore[attr-defined]
        deleted_seen=int(row.deleted_seen or 0),  # type: ignore[attr-defined]
        last_error=row.last_error,  # type: ignore[attr-defined]
        last_error_at=row.last_error_at,  # type: ignore[attr-defined]
    )


def _ensure_row(connection: Connection, source: str, object_name: str, table_name: str) -> None:
    statement = dialect_insert(connection.dialect.name, _CURSORS).values(  # type: ignore[arg-type]
        source=source,
        object_name=object_name,
        table_name=table_name,
        rows_changed=0,
        deleted_seen=0,
    )
    connection.execute(statement.on_conflict_do_nothing())


def sync_state(connection: Connection, source: str, object_name: str) -> SyncState | None:
    row = connection.execute(
        select(_CURSORS).where(_CURSORS.c.source == source, _CURSORS.c.object_name == object_name)
    ).first()
    return None if row is None else _state(row)


def all_sync_states(connection: Connection) -> list[SyncState]:
    rows = connection.execute(
        select(_CURSORS).order_by(_CURSORS.c.source, _CURSORS.c.object_name)
    ).all()
    return [_state(row) for row in rows]


def save_cursor(
    connection: Connection,
    *,
    source: str,
    object_name: str,
    table_name: str,
    cursor: str | None,
    now: datetime,
) -> None:
    """Move the object's cursor (inside the transaction of the page it covers)."""
    _ensure_row(connection, source, object_name, table_name)
    connection.execute(
        update(_CURSORS)
        .where(_CURSORS.c.source == source, _CURSORS.c.object_name == object_name)
        .values(cursor=cursor, table_name=table_name, last_attempt_at=now)
    )


def record_success(
    connection: Connection,
    *,
    source: str,
    object_name: str,
    table_name: str,
    now: datetime,
    rows_changed: int,
    deleted_seen: int,
) -> None:
    _ensure_row(connection, source, object_name, table_name)
    connection.execute(
        update(_CURSORS)
        .where(_CURSORS.c.source == source, _CURSORS.c.object_name == object_name)
        .values(
            last_attempt_at=now,
            last_success_at=now,
            rows_changed=rows_changed,
            deleted_seen=deleted_seen,
            last_error=None,
            last_error_at=None,
        )
    )


def record_failure(
    connection: Connection,
    *,
    source: str,
    object_name: str,
    table_name: str,
    now: datetime,
    error: str,
) -> None:
    """Keep the last error (one short line); the cursor is left where it was."""
    _ensure_row(connection, source, object_name, table_name)
    connection.execute(
        update(_CURSORS)
        .where(_CURSORS.c.source == source, _CURSORS.c.object_name == object_name)
        .values(last_attempt_at=now, last_error=error[:MAX_ERROR_CHARS], last_error_at=now)
    )


def csm_ids_by_email(connection: Connection) -> dict[str, str]:
    """Lower-cased email → csm_id for every csm with an email (owner → csm resolution)."""
    rows = connection.execute(
        select(func.lower(Csm.email), Csm.csm_id).where(Csm.email.is_not(None))
    ).all()
    return {email: csm_id for email, csm_id in rows if email}


def mark_contacts_inactive(connection: Connection, contact_ids: Iterable[str]) -> int:
    """Contacts the source deleted or archived stay in the store, marked inactive."""
    ids: Sequence[str] = sorted(set(contact_ids))
    changed = 0
    for start in range(0, len(ids), 500):
        result = connection.execute(
            update(Contact)
            .where(Contact.contact_id.in_(ids[start : start + 500]), Contact.is_active.is_(True))
            .values(is_active=False)
        )
        changed += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return changed
