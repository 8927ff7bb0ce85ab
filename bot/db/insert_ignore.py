"""Portable ``INSERT ... ON CONFLICT DO NOTHING``: the primitive every claim is built on.

A claim must be decided by the database's unique constraint, not by a read followed
by a write (two replicas would both read "absent"). Both backends support the same
conflict clause through their dialect's ``insert``; this hides which one is in use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def dialect_insert(dialect_name: str, table: Table) -> Any:
    """The backend's own ``insert`` (the portable one has no ``ON CONFLICT`` clause)."""
    if dialect_name == "postgresql":
        return postgresql.insert(table)
    if dialect_name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"ON CONFLICT is not implemented for {dialect_name}")


def _insert_for(session: Session, table: Table) -> Any:
    return dialect_insert(session.get_bind().dialect.name, table)


def insert_ignore(session: Session, table: Table, values: dict[str, Any]) -> bool:
    """Insert one row unless a unique key already holds it; True when this call inserted it."""
    key = next(iter(table.primary_key.columns))
    statement = _insert_for(session, table).values(**values).on_conflict_do_nothing().returning(key)
    return session.execute(statement).first() is not None


def insert_ignore_many(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    """Bulk insert, skipping rows whose unique key exists; returns how many were inserted."""
    if not rows:
        return 0
    # executemany rowcounts are not reliable across drivers; RETURNING lists exactly the
    # rows that were inserted (a conflicting row returns nothing) on both backends.
    # executemany needs the same keys in every row; a key a row leaves out is NULL.
    columns = sorted({name for row in rows for name in row})
    rows = [{name: row.get(name) for name in columns} for row in rows]
    key = next(iter(table.primary_key.columns))
    statement = _insert_for(session, table).on_conflict_do_nothing().returning(key)
    inserted = 0
    chunk = 500
    for start in range(0, len(rows), chunk):
        result = session.execute(statement, list(rows[start : start + chunk]))
        inserted += len(result.all())
    return inserted
