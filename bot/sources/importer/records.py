"""``import_records``: the contract importer's entry point for records held in memory.

Connectors (``bot.sources.sync``) hand over pages of contract rows instead of files.
They go through exactly the same checks, limits, reference checks, duplicate-key
checks and upsert-by-key as ``csbot import`` (the shared ``_load_chunks``), so synced
data obeys the contract as a CSV does. Errors name the record instead of a line:
``salesforce Account 001xx000003DGb2: AnnualRevenue: 'abc': is not a number``.

The caller owns the transaction: nothing here commits, so a sync writes a page, its
freshness and its cursor together, or nothing at all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain

import pandas as pd
from sqlalchemy import Connection, insert, select, text, update

from bot.db.models import SourceLoad
from bot.db.sync_state import mark_contacts_inactive
from bot.errors import ImportFailed
from bot.sources.importer import (
    RecordLocator,
    _load_chunks,
    _ProblemLog,
    _stored_keys,
    _unexpected,
)
from bot.sources.importer.contract import SPECS
from bot.sources.importer.reader import LINE, Chunk

RecordValue = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class RecordBatch:
    """Rows for one contract table; ``ids``/``fields`` only locate errors."""

    table: str
    rows: Sequence[Mapping[str, RecordValue]]
    ids: Sequence[str]
    where: str  # "salesforce Account": what an error line starts with
    fields: Mapping[str, str] = field(default_factory=dict)  # contract column → source field
    locator: RecordLocator | None = None  # how errors name a row (default: where + id)


class ColumnRows(Sequence[Mapping[str, RecordValue]]):
    """A page of rows held as columns (``{"account_id": [...], "date": [...]}``).

    A connector that reads columns (a SQL result) hands its page over as is: ``_chunk``
    takes the columns without building a dict per row and taking it apart again (for
    3.6 M usage rows that was a tenth of the sync). Indexing still gives a row.
    """

    __slots__ = ("columns", "_length")

    def __init__(self, columns: Mapping[str, Sequence[RecordValue]]) -> None:
        lengths = {len(values) for values in columns.values()}
        if len(lengths) > 1:
            raise ValueError("ColumnRows: columns of different lengths")
        self.columns = dict(columns)
        self._length = lengths.pop() if lengths else 0

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: int) -> Mapping[str, RecordValue]:  # type: ignore[override]
        return {name: values[index] for name, values in self.columns.items()}


@dataclass
class RecordImport:
    rows: dict[str, int] = field(default_factory=dict)
    deactivated: int = 0


def cell_text(value: RecordValue) -> str:
    """A value as a contract file would hold it (the checks then read it the same way)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def _texts(values: list[RecordValue]) -> list[str]:
    return [value if type(value) is str else cell_text(value) for value in values]


def _column(batch: RecordBatch, column: str) -> list[RecordValue]:
    if isinstance(batch.rows, ColumnRows):
        return list(batch.rows.columns[column])
    return [row.get(column) for row in batch.rows]


def _chunk(batch: RecordBatch, columns: list[str]) -> Chunk:
    # dtype=str (Arrow-backed strings, as ``read_csv`` gives the file path): the checks'
    # string ops then run vectorised; on object columns they loop in Python, ~10× slower.
    frame = pd.DataFrame(
        {column: _texts(_column(batch, column)) for column in columns},
        dtype=str,
    )
    frame[LINE] = range(1, len(batch.rows) + 1)
    return Chunk(frame)


def import_records(
    connection: Connection,
    batches: Sequence[RecordBatch],
    *,
    import_id: str,
    deactivate_contacts: Sequence[str] = (),
    known_keys: dict[str, set[str]] | None = None,
    write: bool = True,
    now: datetime,
) -> RecordImport:
    """Check and upsert ``batches`` inside the caller's transaction; nothing is committed.

    ``known_keys`` (table → keys in the store) may be carried between batches of one
    run to spare re-reading every key; it is updated in place with the batches' keys,
    so a caller whose transaction fails must drop it.

    Raises:
        ImportFailed: every problem as one located line; the caller rolls back.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET CONSTRAINTS ALL DEFERRED"))
    keys = known_keys
    if keys is None and any(batch.rows for batch in batches):
        keys = _stored_keys(connection)
    problems = _ProblemLog()
    result = RecordImport()
    newest: dict[str, datetime | None] = {}
    for batch in batches:
        spec = SPECS.get(batch.table)
        if spec is None:
            raise ImportFailed([f"{batch.where}: {batch.table}: not a contract table"])
        where = batch.locator or RecordLocator(batch.where, batch.ids, batch.fields)
        present = (
            list(batch.rows.columns)
            if isinstance(batch.rows, ColumnRows)
            else list(dict.fromkeys(chain.from_iterable(batch.rows)))
        )
        unknown = [name for name in present if name not in spec.by_name]
        if unknown:
            raise ImportFailed(
                [f"{batch.where}: {', '.join(unknown)}: not a column of {batch.table}"]
            )
        absent = [
            c.name for c in spec.columns if c.required and batch.rows and c.name not in present
        ]
        for name in absent:
            problems.add_text(f"{batch.where}: {name}: missing required column")
        if absent:
            continue  # later batches are still checked: every bad row is reported
        try:
            loaded, batch_newest = (
                _load_chunks(
                    connection,
                    spec,
                    [_chunk(batch, present)],
                    present,
                    keys or {},
                    problems,
                    where,
                    write=write,
                )
                if batch.rows
                else (0, None)
            )
        except Exception as exc:  # noqa: BLE001 - a bug must not print rows either
            problems.add_text(f"{batch.where}: {_unexpected(exc, import_id)}")
            break
        result.rows[batch.table] = result.rows.get(batch.table, 0) + loaded
        newest[batch.table] = batch_newest
    if problems:
        raise ImportFailed(problems.lines, problems.dropped)
    if deactivate_contacts and write:
        result.deactivated = mark_contacts_inactive(connection, deactivate_contacts)
    if write:
        _touch_loads(connection, result.rows, newest, import_id, now)
    return result


def _touch_loads(
    connection: Connection,
    rows: Mapping[str, int],
    newest: Mapping[str, datetime | None],
    import_id: str,
    now: datetime,
) -> None:
    """Freshness per table: a sync that found nothing new still counts as a load."""
    loads = SourceLoad.__table__
    for table, count in rows.items():
        stored = connection.execute(
            select(loads.c.data_as_of).where(loads.c.source == table)
        ).first()
        as_of = newest.get(table)
        if stored is None:
            connection.execute(
                insert(loads).values(
                    source=table,
                    last_loaded_at=now,
                    rows_loaded=count,
                    data_as_of=as_of,
                    import_id=import_id,
                )
            )
            continue
        if as_of is None or (stored.data_as_of is not None and stored.data_as_of > as_of):
            as_of = stored.data_as_of
        connection.execute(
            update(loads)
            .where(loads.c.source == table)
            .values(last_loaded_at=now, rows_loaded=count, data_as_of=as_of, import_id=import_id)
        )
