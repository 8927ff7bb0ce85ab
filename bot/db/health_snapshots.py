"""Health snapshot history: one row per account and day, upserted by the daily score.

Readers (Q&A, jobs, drafting) take the latest row per account and the rows 7 and 30
days before it; these functions are the one place that SQL lives.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import JSON, Column, MetaData, Table, and_, func, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from bot.db.insert_ignore import dialect_insert
from bot.db.models import HealthScore

_table = HealthScore.__table__
_UPSERT_BATCH = 5000
# The stored shape is the model's own column list (scoring.snapshots builds rows in it).
SNAPSHOT_FIELDS: tuple[str, ...] = tuple(column.name for column in _table.columns)
JSON_FIELDS: frozenset[str] = frozenset({"components", "drivers", "missing_components"})


class _JsonText(TypeDecorator[str]):
    """A JSON column whose values arrive already serialised (bound as-is).

    The dialect still treats it as JSON (PostgreSQL gets its ``json`` cast), but the
    per-row ``json.dumps`` is skipped: the portfolio score writes the text column-wise.
    """

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:  # type: ignore[override]
        return None


def _text_json_table() -> Table:
    columns = [
        Column(c.name, _JsonText() if c.name in JSON_FIELDS else c.type, primary_key=c.primary_key)
        for c in _table.columns
    ]
    return Table(_table.name, MetaData(), *columns)


_TEXT_JSON_TABLE = _text_json_table()


def upsert_health_snapshots(*, session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert or replace the snapshots for (account_id, as_of); returns rows written.

    Re-scoring the same day replaces that day's snapshot, so the job is idempotent.
    The JSON columns may come as JSON text (the portfolio score builds them column-wise,
    which is much cheaper than one ``json.dumps`` per row) or as Python values.

    The statement is compiled once by the dialect (its own ON CONFLICT, placeholders and
    casts) and the parameters are bound column by column, each column's bind processor
    applied once per value, then handed to the driver's ``executemany``: SQLAlchemy's
    per-row parameter building cost twice the database's own work at 20,000 accounts.
    """
    if not rows:
        return 0
    dialect = session.get_bind().dialect
    compiled = _upsert_statement(dialect.name).compile(dialect=dialect)
    columns = {name: _bound_column(rows, name, dialect) for name in SNAPSHOT_FIELDS}
    connection = session.connection()
    positions = compiled.positiontup
    for start in range(0, len(rows), _UPSERT_BATCH):
        stop = start + _UPSERT_BATCH
        if positions is not None:
            batch: list[Any] = list(
                zip(*(columns[name][start:stop] for name in positions), strict=True)
            )
        else:
            names = list(columns)
            batch = [
                dict(zip(names, values, strict=True))
                for values in zip(*(columns[name][start:stop] for name in names), strict=True)
            ]
        connection.exec_driver_sql(compiled.string, batch)
    return len(rows)


def _upsert_statement(dialect_name: str) -> Any:
    statement = dialect_insert(dialect_name, _TEXT_JSON_TABLE)
    updates = {
        name: statement.excluded[name]
        for name in SNAPSHOT_FIELDS
        if name not in ("account_id", "as_of")
    }
    return statement.on_conflict_do_update(index_elements=["account_id", "as_of"], set_=updates)


def _bound_column(rows: Sequence[dict[str, Any]], name: str, dialect: Dialect) -> list[Any]:
    """One column's values as the driver takes them (JSON as text, dates in stored form)."""
    values = [row[name] for row in rows]
    if name in JSON_FIELDS:
        return [value if isinstance(value, str) else json.dumps(value) for value in values]
    process = _TEXT_JSON_TABLE.c[name].type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return values
    if len(set(map(id, values))) == 1:  # one shared value (computed_at): process it once
        return [process(values[0])] * len(values)
    return [process(value) for value in values]


def previous_bands(*, session: Session, before: date) -> pd.Series:
    """Each account's band on the latest scoring day before ``before`` (for hysteresis).

    A scoring run covers the whole portfolio on one day, so "the previous band" is the
    band on the previous run's day: one max over the ``as_of`` index, then one index
    range, instead of a group-by over a history that grows by a portfolio every day.
    """
    last_run = session.scalar(select(func.max(_table.c.as_of)).where(_table.c.as_of < before))
    if last_run is None:
        return pd.Series(dtype="object")
    rows = session.execute(
        select(_table.c.account_id, _table.c.band).where(_table.c.as_of == last_run)
    ).all()
    return pd.Series({row.account_id: row.band for row in rows}, dtype="object")


def snapshot_on_or_before(*, session: Session, account_id: str, day: date) -> HealthScore | None:
    """The account's latest snapshot dated ``day`` or earlier."""
    query = (
        select(HealthScore)
        .where(HealthScore.account_id == account_id, HealthScore.as_of <= day)
        .order_by(HealthScore.as_of.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def latest_snapshot(*, session: Session, account_id: str) -> HealthScore | None:
    query = (
        select(HealthScore)
        .where(HealthScore.account_id == account_id)
        .order_by(HealthScore.as_of.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def snapshot_history(
    *, session: Session, account_id: str, since: date | None = None
) -> Sequence[HealthScore]:
    """Snapshots of one account, oldest first."""
    query = select(HealthScore).where(HealthScore.account_id == account_id)
    if since is not None:
        query = query.where(HealthScore.as_of >= since)
    return session.scalars(query.order_by(HealthScore.as_of)).all()


def snapshot_deltas(
    *, session: Session, as_of: date, account_ids: Sequence[str] | None = None
) -> pd.DataFrame:
    """Per account: the latest score on or before ``as_of`` and its 7- and 30-day deltas.

    The comparison points are each account's latest snapshot on or before 7 (30) days
    before that latest snapshot, so a skipped day does not lose the trend.

    Returns:
        Columns account_id, as_of, score, band, score_7d_ago, delta_7d, score_30d_ago,
        delta_30d (deltas NaN when there is no snapshot that old).
    """
    current = _latest_on_or_before(session, as_of, account_ids)
    if current.empty:
        return pd.DataFrame(
            columns=[
                "account_id",
                "as_of",
                "score",
                "band",
                "score_7d_ago",
                "delta_7d",
                "score_30d_ago",
                "delta_30d",
            ]
        )
    for days in (7, 30):
        past = _latest_on_or_before(session, as_of - timedelta(days=days), account_ids)
        past = past[["account_id", "score"]].rename(columns={"score": f"score_{days}d_ago"})
        current = current.merge(past, on="account_id", how="left")
        current[f"delta_{days}d"] = (current["score"] - current[f"score_{days}d_ago"]).round(1)
    return current


def _latest_on_or_before(
    session: Session, day: date, account_ids: Sequence[str] | None
) -> pd.DataFrame:
    latest = select(_table.c.account_id, func.max(_table.c.as_of).label("as_of")).where(
        _table.c.as_of <= day
    )
    if account_ids is not None:
        latest = latest.where(_table.c.account_id.in_(list(account_ids)))
    latest_sub = latest.group_by(_table.c.account_id).subquery()
    query = select(_table.c.account_id, _table.c.as_of, _table.c.score, _table.c.band).join(
        latest_sub,
        and_(_table.c.account_id == latest_sub.c.account_id, _table.c.as_of == latest_sub.c.as_of),
    )
    result = session.execute(query)
    return pd.DataFrame(result.all(), columns=list(result.keys()))
