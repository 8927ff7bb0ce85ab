"""``csbot import DIR``: load a contract folder all-or-nothing, with every bad row named.

One transaction covers the whole folder. Files are read in bounded chunks, checked
(types, ranges, choices, references, duplicate keys) and upserted chunk by chunk while
the folder is still clean; the first problem stops the writing, the checking goes on
so every bad row is reported, and the transaction is rolled back. Nothing is ever
half-written: on SQLite (WAL) the main database file is not even touched.

Whatever goes wrong — a bad cell, a file that cannot be read, the database refusing a
write, a bug — ends as ``ImportFailed`` with one short located line per problem: never
a traceback, and never a customer row (SQLAlchemy's messages carry the statement's
parameters, so database errors are reworded from the driver's first line only).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, delete, insert, text
from sqlalchemy.exc import DBAPIError

from bot.db.base import utcnow
from bot.db.models import AuditLog, SourceLoad
from bot.errors import ImportFailed
from bot.sources.importer.contract import CONTRACT, REQUIRED_FILES, SPECS, FileSpec
from bot.sources.importer.loader import write_rows
from bot.sources.importer.reader import (
    LINE,
    Chunk,
    FileFormatError,
    Rejected,
    iter_chunks,
    read_header,
)
from bot.sources.importer.validate import Problem, check_chunk

logger = logging.getLogger(__name__)

MAX_REPORTED_PROBLEMS = 200
MAX_SHOWN_VALUE = 60  # characters of a bad value an error line shows
MAX_LINE = 300  # characters of one error line


def shown(value: str) -> str:
    """A bad value as an error line shows it: quoted, escaped, and cut short."""
    if len(value) <= MAX_SHOWN_VALUE:
        return repr(value)
    return f"{value[:MAX_SHOWN_VALUE]!r}… ({len(value)} characters)"


class Locator:
    """Where a checked row came from, as an error line names it: ``accounts.csv:17``."""

    def __init__(self, file_name: str) -> None:
        self.name = file_name

    def at(self, line: int) -> str:
        return f"{self.name}:{line}"

    def column(self, name: str) -> str:
        return name

    def rows(self, first: int, last: int) -> str:
        return f"{self.name}:{first}: the database refused rows {first}-{last}"

    def first_seen(self, line: int) -> str:
        return f"first on line {line}"

    def missing(self, table: str) -> str:
        return f"no such {table.rstrip('s')} (not in {table} file nor the store)"


class RecordLocator(Locator):
    """Rows handed over in memory by a connector: named by source, object, id and field."""

    def __init__(self, where: str, ids: Sequence[str], fields: Mapping[str, str]) -> None:
        super().__init__(where)
        self.ids = ids
        self.fields = fields

    def _id(self, line: int) -> str:
        return str(self.ids[line - 1]) if 0 < line <= len(self.ids) else f"record {line}"

    def at(self, line: int) -> str:
        return f"{self.name} {self._id(line)}"

    def column(self, name: str) -> str:
        return self.fields.get(name, name)

    def rows(self, first: int, last: int) -> str:
        return f"{self.name}: the database refused records {self._id(first)}…{self._id(last)}"

    def first_seen(self, line: int) -> str:
        return f"also {self._id(line)}"

    def missing(self, table: str) -> str:
        return f"no such {table.rstrip('s')} in the store nor this page (sync {table} first)"


@dataclass
class ImportReport:
    folder: Path
    import_id: str
    dry_run: bool
    rows: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


class _ProblemLog:
    """Collects problems as text lines, up to a cap, and counts the rest."""

    def __init__(self, cap: int = MAX_REPORTED_PROBLEMS) -> None:
        self.cap = cap
        self.lines: list[str] = []
        self.dropped = 0

    def add(self, where: Locator, problem: Problem) -> None:
        self.add_text(
            f"{where.at(problem.line)}: {where.column(problem.column)}: "
            f"{shown(problem.value)}: {problem.why}"
        )

    def add_text(self, line: str) -> None:
        if len(line) > MAX_LINE:
            line = line[: MAX_LINE - 1] + "…"
        if len(self.lines) < self.cap:
            self.lines.append(line)
        else:
            self.dropped += 1

    def __bool__(self) -> bool:
        return bool(self.lines)


def find_contract_files(folder: Path) -> tuple[dict[str, Path], list[str], list[str]]:
    """Map table → file; return (files, warnings, problems)."""
    files: dict[str, Path] = {}
    warnings: list[str] = []
    problems: list[str] = []
    if not folder.is_dir():
        return files, warnings, [f"{folder}: not a folder"]
    inside = folder.resolve()
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.suffix.lower() not in (".csv", ".jsonl"):
            continue
        table = path.stem.lower()
        if table not in SPECS:
            warnings.append(f"{path.name}: not a contract file; ignored")
            continue
        if path.is_symlink() and not path.resolve().is_relative_to(inside):
            problems.append(
                f"{path.name}: symlink: points outside the folder; refused (copy the file in)"
            )
            continue
        if table in files:
            problems.append(f"{path.name}: {files[table].name} holds the same table; keep one")
            continue
        files[table] = path
    for table in REQUIRED_FILES:
        if table not in files:
            problems.append(f"{table}.csv: missing: the contract requires a {table} file")
    return files, warnings, problems


def import_folder(
    folder: Path, engine: Engine, *, dry_run: bool = False, actor: str = "cli"
) -> ImportReport:
    """Validate and load a contract folder in one transaction.

    Raises:
        ImportFailed: listing every problem as ``file:line: column: 'value': why``;
            the store is left exactly as it was.
    """
    started = time.perf_counter()
    folder = Path(folder)
    report = ImportReport(folder=folder, import_id=uuid.uuid4().hex[:12], dry_run=dry_run)
    files, warnings, setup_problems = find_contract_files(folder)
    report.warnings.extend(warnings)
    if setup_problems:
        raise ImportFailed(setup_problems)
    problems = _ProblemLog()
    data_as_of: dict[str, datetime | None] = {}
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SET CONSTRAINTS ALL DEFERRED"))
            known_keys = _stored_keys(connection)
            for spec in CONTRACT:
                path = files.get(spec.table)
                if path is None:
                    continue
                try:
                    loaded, newest = _load_file(
                        connection,
                        spec,
                        path,
                        known_keys,
                        problems,
                        report.warnings,
                        write=not dry_run,
                    )
                except Exception as exc:  # noqa: BLE001 - a bug must not print rows either
                    problems.add_text(f"{path.name}: {_unexpected(exc, report.import_id)}")
                    break
                report.rows[spec.table] = loaded
                data_as_of[spec.table] = newest
            if problems:
                raise ImportFailed(problems.lines, problems.dropped)
            if dry_run:
                transaction.rollback()
            else:
                try:
                    _record_loads(connection, report, data_as_of, actor)
                    transaction.commit()
                except DBAPIError as exc:
                    # PostgreSQL checks the deferred references here, at commit.
                    raise ImportFailed(
                        [f"{folder.name}: the database refused the import: {_reason(exc)}"]
                    ) from None
        except BaseException:
            if transaction.is_active:
                transaction.rollback()
            raise
    report.seconds = time.perf_counter() - started
    logger.info(
        "contract import finished",
        extra={
            "import_id": report.import_id,
            "dry_run": dry_run,
            "rows": report.total_rows,
            "seconds": round(report.seconds, 2),
        },
    )
    return report


def _reason(exc: DBAPIError) -> str:
    """The driver's first line only: its DETAIL lines and SQLAlchemy's text quote rows."""
    original = exc.orig if exc.orig is not None else exc
    first = (str(original).strip().splitlines() or [type(original).__name__])[0]
    return first[:160]


def _unexpected(exc: Exception, import_id: str) -> str:
    """One line for a failure nobody foresaw; logged by type and place, never by message."""
    frame = exc.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    where = f"{Path(frame.tb_frame.f_code.co_filename).name}:{frame.tb_lineno}" if frame else "?"
    logger.error(
        "contract import failed unexpectedly",
        extra={"import_id": import_id, "error_type": type(exc).__name__, "where": where},
    )
    return f"could not be imported ({type(exc).__name__}, import {import_id}); nothing was written"


def _stored_keys(connection: Connection) -> dict[str, set[str]]:
    """Keys already in the store for every table another file may refer to."""
    referenced = {
        column.references for spec in CONTRACT for column in spec.columns if column.references
    }
    keys: dict[str, set[str]] = {}
    for table in referenced:
        key_column = SPECS[table].key[0]
        keys[table] = set(connection.execute(text(f"SELECT {key_column} FROM {table}")).scalars())
    return keys


def _load_file(
    connection: Connection,
    spec: FileSpec,
    path: Path,
    known_keys: dict[str, set[str]],
    problems: _ProblemLog,
    warnings: list[str],
    *,
    write: bool,
) -> tuple[int, datetime | None]:
    name = path.name
    try:
        header = read_header(path)
    except FileFormatError as exc:
        problems.add_text(f"{name}:{exc.line}: {exc}")
        return 0, None
    present = [column for column in header.columns if column in spec.by_name]
    duplicates = sorted({c for c in header.columns if header.columns.count(c) > 1})
    for column in duplicates:
        problems.add_text(f"{name}:1: {column}: column appears more than once")
    unknown = [c for c in header.columns if c not in spec.by_name]
    if unknown:
        warnings.append(f"{name}: unknown column(s) {', '.join(unknown)} ignored")
    for column in spec.columns:
        if column.required and column.name not in present:
            problems.add_text(f"{name}:1: {column.name}: missing required column")
    if problems.lines and any(line.startswith(f"{name}:1:") for line in problems.lines):
        return 0, None

    kinds = {column.name: column.kind for column in spec.columns}
    try:
        return _load_chunks(
            connection,
            spec,
            iter_chunks(path, header.columns, kinds=kinds),
            present,
            known_keys,
            problems,
            Locator(name),
            write=write,
        )
    except FileFormatError as exc:
        problems.add_text(f"{name}:{exc.line}: {exc}")
        return 0, None


def _load_chunks(
    connection: Connection,
    spec: FileSpec,
    chunks: Iterable[Chunk],
    present: list[str],
    known_keys: dict[str, set[str]],
    problems: _ProblemLog,
    where: Locator,
    *,
    write: bool,
) -> tuple[int, datetime | None]:
    """Check and upsert chunks of text cells (from a file or from a connector's records)."""
    insert_columns = present + [
        c.name for c in spec.columns if c.default is not None and c.name not in present
    ]
    update_columns = [c for c in present if c not in spec.key]
    file_keys: set[str] = set()
    pending_self_refs: list[tuple[int, str, str]] = []
    key_hashes: list[np.ndarray] = []
    key_lines: list[np.ndarray] = []
    loaded = 0
    newest: datetime | None = None
    for piece in chunks:
        chunk = piece.frame
        for column in spec.columns:
            if column.name not in present and column.default is not None:
                chunk[column.name] = column.default
        checked = check_chunk(spec, chunk, insert_columns)
        chunk_problems = _with_rejected(checked.problems, piece.rejected)
        lines = chunk[LINE]
        for column in spec.columns:
            if column.references is None or column.name not in present:
                continue
            values = chunk[column.name].str.strip()
            filled = values != ""
            # isin on Arrow strings builds one pyarrow scalar per known key (per chunk: a
            # sync page of 5,000 rows against 10,000 accounts paid 30 ms); object → C hash.
            values = values.astype(object)
            if column.references == spec.table:
                unknown_mask = filled & ~values.isin(known_keys.get(spec.table, set()) | file_keys)
                pending_self_refs.extend(
                    zip(
                        lines[unknown_mask].tolist(),
                        [column.name] * int(unknown_mask.sum()),
                        values[unknown_mask].tolist(),
                        strict=True,
                    )
                )
                continue
            missing = filled & ~values.isin(known_keys.get(column.references, set()))
            if missing.any():
                why = where.missing(column.references)
                chunk_problems.extend(
                    Problem(line, column.name, value, why)
                    for line, value in zip(
                        lines[missing].tolist(), values[missing].tolist(), strict=True
                    )
                )
        for problem in sorted(chunk_problems, key=lambda p: p.line):
            problems.add(where, problem)
        key_frame = chunk[list(spec.key)].apply(lambda s: s.str.strip())
        key_hashes.append(pd.util.hash_pandas_object(key_frame, index=False).to_numpy())
        key_lines.append(lines.to_numpy(dtype=np.int64))
        if len(spec.key) == 1:
            file_keys.update(key_frame[spec.key[0]].tolist())
        if spec.data_date_column and spec.data_date_column in checked.values:
            chunk_newest = checked.values[spec.data_date_column].max()
            if pd.notna(chunk_newest):
                stamp = pd.Timestamp(chunk_newest)
                stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
                newest = max(newest, stamp.to_pydatetime()) if newest else stamp.to_pydatetime()
        if write and not problems:
            try:
                loaded += write_rows(connection, spec, checked.values, update_columns)
            except DBAPIError as exc:
                first, last = int(lines.iloc[0]), int(lines.iloc[-1])
                problems.add_text(f"{where.rows(first, last)}: {_reason(exc)}")
        else:
            loaded += len(chunk)
    for line, column_name, value in pending_self_refs:
        if value not in file_keys:
            problems.add(
                where,
                Problem(
                    line,
                    column_name,
                    value,
                    f"no such {spec.table.rstrip('s')} (not in this file nor in the store)",
                ),
            )
    _report_duplicate_keys(where, spec, key_hashes, key_lines, problems)
    if len(spec.key) == 1:
        known_keys.setdefault(spec.table, set()).update(file_keys)
    return loaded, newest


def _with_rejected(problems: list[Problem], rejected: list[Rejected]) -> list[Problem]:
    """A wrong-typed JSON cell is reported once, as such (its emptied cell is not 'required')."""
    if not rejected:
        return list(problems)
    taken = {(cell.line, cell.column) for cell in rejected}
    kept = [problem for problem in problems if (problem.line, problem.column) not in taken]
    return kept + [Problem(cell.line, cell.column, cell.value, cell.why) for cell in rejected]


def _report_duplicate_keys(
    where: Locator,
    spec: FileSpec,
    hashes: list[np.ndarray],
    lines: list[np.ndarray],
    problems: _ProblemLog,
) -> None:
    if not hashes:
        return
    all_hashes = np.concatenate(hashes)
    all_lines = np.concatenate(lines)
    order = np.argsort(all_hashes, kind="stable")
    sorted_hashes = all_hashes[order]
    repeats = np.flatnonzero(sorted_hashes[1:] == sorted_hashes[:-1]) + 1
    if repeats.size == 0:
        return
    group_starts = np.searchsorted(sorted_hashes, sorted_hashes[repeats], side="left")
    key_label = "+".join(spec.key)
    for position, group_start in zip(repeats.tolist(), group_starts.tolist(), strict=True):
        line = int(all_lines[order[position]])
        first = int(all_lines[order[group_start]])
        problems.add_text(
            f"{where.at(line)}: {key_label}: duplicate key ({where.first_seen(first)})"
        )


def _record_loads(
    connection: Connection, report: ImportReport, data_as_of: dict[str, datetime | None], actor: str
) -> None:
    """Freshness per source and the audit record, inside the import's own transaction."""
    now = utcnow()
    loads = SourceLoad.__table__
    connection.execute(delete(loads).where(loads.c.source.in_(list(report.rows))))
    connection.execute(
        insert(loads),
        [
            {
                "source": table,
                "last_loaded_at": now,
                "rows_loaded": rows,
                "data_as_of": data_as_of.get(table),
                "import_id": report.import_id,
            }
            for table, rows in report.rows.items()
        ],
    )
    connection.execute(
        insert(AuditLog.__table__).values(
            at=now,
            actor=actor,
            action="import",
            target=str(report.folder),
            detail={
                "import_id": report.import_id,
                "rows": report.rows,
                "warnings": report.warnings[:20],
            },
        )
    )
