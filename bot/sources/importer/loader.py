"""Bulk upserts: typed columns → driver rows → one executemany per chunk.

We bypass the ORM on purpose: millions of usage rows through ``session.add`` would
take minutes. The statement is ``INSERT … ON CONFLICT (key) DO UPDATE``, which both
SQLite and PostgreSQL speak; its identifiers come only from the contract spec, and
every value is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection

from bot.sources.importer.contract import Column, FileSpec, Kind

_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"


def upsert_sql(
    spec: FileSpec, columns: Sequence[str], update_columns: Sequence[str], *, placeholder: str
) -> str:
    names = ", ".join(columns)
    params = ", ".join([placeholder] * len(columns))
    key = ", ".join(spec.key)
    if update_columns:
        assignments = ", ".join(f"{name} = excluded.{name}" for name in update_columns)
        action = f"DO UPDATE SET {assignments}"
    else:
        action = "DO NOTHING"
    return f"INSERT INTO {spec.table} ({names}) VALUES ({params}) ON CONFLICT ({key}) {action}"


def storage_column(column: Column, values: pd.Series, dialect: str) -> list[Any]:
    """Python values the DB driver stores exactly as SQLAlchemy's own types would."""
    kind = column.kind
    missing = values.isna()
    if kind is Kind.TEXT:
        out = values
    elif kind is Kind.INT or kind in (Kind.FLOAT, Kind.DECIMAL):
        out = values.astype(object)
    elif kind is Kind.BOOL:
        out = (
            values.astype(object) if dialect != "sqlite" else values.astype("Int64").astype(object)
        )
    elif kind is Kind.DATE:
        out = values.dt.strftime("%Y-%m-%d") if dialect == "sqlite" else values.dt.date
    elif kind is Kind.DATETIME:
        if dialect == "sqlite":
            out = values.dt.tz_convert("UTC").dt.strftime(_SQLITE_DATETIME)
        else:
            out = values.astype(object)
    else:  # pragma: no cover - exhaustive
        raise AssertionError(kind)
    return out.astype(object).mask(missing, None).tolist()


def write_rows(
    connection: Connection,
    spec: FileSpec,
    values: dict[str, pd.Series],
    update_columns: Sequence[str],
) -> int:
    dialect = connection.dialect.name
    columns = list(values)
    by_name = spec.by_name
    data = [storage_column(by_name[name], values[name], dialect) for name in columns]
    rows = list(zip(*data, strict=True))
    if not rows:
        return 0
    placeholder = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = upsert_sql(spec, columns, update_columns, placeholder=placeholder)
    connection.exec_driver_sql(sql, rows)
    return len(rows)
