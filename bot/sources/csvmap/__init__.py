"""``csbot import DIR --mapping FILE``: any CSV export folder, through a mapping, into the contract.

The mapping (:mod:`bot.sources.csvmap.spec`) is validated first and checked against
the folder's files and headers; then every source row is mapped
(:mod:`bot.sources.csvmap.rows`) and the contract rows go through the importer's one
write path (``import_records``: the same checks, limits, references, duplicate keys and
upsert by key as ``csbot import``) in one transaction. All or nothing: any problem —
in the mapping, a source cell, or a contract check — ends as ``ImportFailed`` with
one located line each, and the store is left exactly as it was.

Source files are read in bounded chunks, but one table's contract rows are held in
memory until the importer checks them together (duplicate keys across the whole
table): comfortable for exports up to a few million rows.
"""

from __future__ import annotations

import logging
import time
import uuid
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot.db.audit import record_audit
from bot.db.base import utcnow
from bot.errors import ImportFailed
from bot.sources.csvmap.rows import MappedTable, map_folder
from bot.sources.csvmap.spec import check_against_folder, load_csv_mapping
from bot.sources.importer import ImportReport, _ProblemLog, _reason, _unexpected
from bot.sources.importer.contract import CONTRACT
from bot.sources.importer.records import import_records
from bot.sources.sync.mapping import MappingError

logger = logging.getLogger(__name__)


def import_mapped(
    folder: Path, mapping_file: Path, engine: Engine, *, dry_run: bool = False, actor: str = "cli"
) -> ImportReport:
    """Map ``folder``'s CSV files through ``mapping_file`` and import them in one transaction.

    Raises:
        ImportFailed: every problem as one located line
            (``ravenstack.yaml: tables.accounts.columns.seats: …`` or
            ``ravenstack_accounts.csv:17: seats: 'x': is not a whole number``).
    """
    started = time.perf_counter()
    folder = Path(folder)
    report = ImportReport(folder=folder, import_id=uuid.uuid4().hex[:12], dry_run=dry_run)
    try:
        mapping = load_csv_mapping(Path(mapping_file))
        headers = check_against_folder(mapping, folder)
    except MappingError as exc:
        raise ImportFailed(exc.problems) from None
    problems = _ProblemLog()
    try:
        tables = map_folder(mapping, folder, headers, problems)
    except Exception as exc:  # noqa: BLE001 - a bug must not print rows either
        raise ImportFailed([f"{mapping.origin}: {_unexpected(exc, report.import_id)}"]) from None
    ordered = [tables[spec.table] for spec in CONTRACT if spec.table in tables]
    report.warnings.extend(_counts(mapping.origin, ordered))
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            # With problems found while mapping, the importer still checks every row (and
            # writes none), so one run reports every bad row of the folder.
            try:
                result = import_records(
                    connection,
                    [table.batch(mapping.origin) for table in ordered],
                    import_id=report.import_id,
                    write=not dry_run and not problems,
                    now=utcnow(),
                )
            except ImportFailed as exc:
                _merge(problems, exc, ordered)
            if problems:
                raise ImportFailed(problems.lines, problems.dropped)
            report.rows = {table.table: result.rows.get(table.table, 0) for table in ordered}
            if dry_run:
                transaction.rollback()
            else:
                _audit(connection, report, mapping.origin, actor)
                try:
                    transaction.commit()
                except DBAPIError as exc:  # PostgreSQL checks deferred references at commit
                    raise ImportFailed(
                        [f"{folder.name}: the database refused the import: {_reason(exc)}"]
                    ) from None
        except BaseException:
            if transaction.is_active:
                transaction.rollback()
            raise
    report.seconds = time.perf_counter() - started
    logger.info(
        "mapped import finished",
        extra={
            "import_id": report.import_id,
            "mapping": mapping.origin,
            "dry_run": dry_run,
            "rows": report.total_rows,
            "seconds": round(report.seconds, 2),
        },
    )
    return report


def _merge(problems: _ProblemLog, failed: ImportFailed, tables: list[MappedTable]) -> None:
    """The importer's lines after the mapping's, less those about cells already reported."""
    for line in failed.problems:
        if not any(table.already_reported(line) for table in tables):
            problems.add_text(line)
    problems.dropped += failed.truncated


def _counts(origin: str, tables: list[MappedTable]) -> list[str]:
    """What the mapping left out, said plainly (rows filtered by where, or skipped)."""
    notes = []
    for table in tables:
        if table.filtered or table.skipped:
            notes.append(
                f"{origin}: {table.table}: {table.read} source rows read, "
                f"{table.filtered} left out by where, {table.skipped} skipped"
            )
    return notes


def _audit(connection: object, report: ImportReport, origin: str, actor: str) -> None:
    with Session(bind=connection) as session:  # type: ignore[call-overload]
        record_audit(
            session=session,
            actor=actor,
            action="import",
            target=str(report.folder),
            detail={"import_id": report.import_id, "mapping": origin, "rows": report.rows},
        )
        session.flush()
