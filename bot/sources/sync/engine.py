"""The sync engine: read a connector's pages, import each through the contract importer,
and commit the page's cursor in the same transaction.

One page = one transaction: rows (``import_records``: the one write path), the
freshness rows the answers' "data as of" line reads (``source_loads``), deleted
contacts marked inactive, and the cursor after that page. A crash therefore loses at
most the page in flight, and the next run resumes right after the last committed
page: nothing lost, nothing twice (upsert by key makes a replayed page harmless too).

Pages that are already read when the importer is free are imported together, in one
transaction with the last one's cursor (``bot.sources.sync.grouping``, up
to ``GROUP_ROWS`` rows). The importer's checks cost the same per call whatever the
page size, so a source with small pages (Zendesk's 1,000 tickets, HubSpot's 100) paid
that cost per page and the sync ran at half the speed of a CSV import. A group only
takes what is waiting, never waits for more, so a slow source still commits page by
page. A row repeated in a later page of a group (an incremental export lists a record
again when it changed while paging) keeps its later version, as page-by-page upserts
did. If a group is refused, its pages are imported again one by one: those before the
bad one are kept with their cursor, and the bad one fails as it would have alone.

A bad record fails its page with located lines (``salesforce Account 001…: AnnualRevenue:
'abc': is not a number``); the page is rolled back, the cursor stays, the error is
kept as the object's ``last_error`` (``csbot sync status``) and the run stops.

Owners: a mapping's owner column arrives holding the owner's email; the engine
resolves it to the csm with that email (already stored, or synced earlier in the
run). A User synced into ``csms`` whose email matches a stored csm updates that csm
instead of adding a second one. An unknown owner email leaves the account unowned
and is reported.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, insert
from sqlalchemy.exc import DBAPIError

from bot.db.base import utcnow
from bot.db.models import AuditLog
from bot.db.sync_state import (
    csm_ids_by_email,
    record_failure,
    record_success,
    save_cursor,
    sync_state,
)
from bot.errors import ImportFailed
from bot.sources.importer import _reason, _stored_keys
from bot.sources.importer.contract import SPECS
from bot.sources.importer.records import RecordBatch, import_records
from bot.sources.sync.grouping import joined_batch, page_groups
from bot.sources.sync.protocol import (
    Connector,
    ContractRow,
    SourceError,
    SourceObject,
    SourcePage,
    SyncCursor,
)

logger = logging.getLogger(__name__)


class SyncFailed(RuntimeError):
    """A sync stopped; ``problems`` are located lines, and nothing of the failed page was kept."""

    def __init__(self, problems: Sequence[str], truncated: int = 0) -> None:
        self.problems = list(problems)
        self.truncated = truncated
        super().__init__(self.problems[0] if self.problems else "sync failed")


@dataclass
class ObjectRun:
    """What one run of one source object did."""

    source: str
    object_name: str
    table: str
    dry_run: bool
    full: bool
    pages: int = 0
    rows_changed: int = 0
    deleted: int = 0
    deactivated: int = 0
    skipped: int = 0
    unowned: int = 0
    cursor: str | None = None
    seconds: float = 0.0
    error: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "object": self.object_name,
            "table": self.table,
            "ok": self.ok,
            "dry_run": self.dry_run,
            "full": self.full,
            "pages": self.pages,
            "rows_changed": self.rows_changed,
            "deleted_in_source": self.deleted,
            "contacts_marked_inactive": self.deactivated,
            "skipped": self.skipped,
            "unknown_owners": self.unowned,
            "cursor": self.cursor,
            "seconds": round(self.seconds, 3),
            "error": self.error,
        }


PageHook = Callable[[ObjectRun], None]


class _RunState:
    """Lookups one run carries between pages, read on first use (a run with nothing new
    never reads them)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._owners: dict[str, str] | None = None
        self._keys: dict[str, set[str]] | None = None

    @property
    def owners(self) -> dict[str, str]:
        if self._owners is None:
            with self._engine.connect() as connection:
                self._owners = csm_ids_by_email(connection)
        return self._owners

    @property
    def keys(self) -> dict[str, set[str]]:
        if self._keys is None:
            with self._engine.connect() as connection:
                self._keys = _stored_keys(connection)
        return self._keys

    @property
    def keys_if_loaded(self) -> dict[str, set[str]] | None:
        return self._keys

    def forget_keys(self) -> None:
        """After a refused transaction: the keys it added were never stored."""
        self._keys = None


def _resolve(page: SourcePage, state: _RunState, run: ObjectRun) -> Sequence[ContractRow]:
    owner_column = page.owner_column
    if not owner_column and page.table != "csms":
        return page.rows  # nothing to resolve: as handed over (ColumnRows stay columns)
    rows: list[ContractRow] = list(page.rows)
    if page.table == "csms":
        # A user who already is a csm (same email) updates that csm, not a copy.
        resolved = []
        for row in rows:
            email = str(row.get("email") or "").strip().lower()
            known = state.owners.get(email) if email else None
            resolved.append({**row, "csm_id": known} if known else row)
        rows = resolved
    if owner_column:
        resolved = []
        for row in rows:
            email = row.get(owner_column)
            csm_id = state.owners.get(str(email).strip().lower()) if email else None
            if email and csm_id is None:
                run.unowned += 1
            resolved.append({**row, owner_column: csm_id})
        rows = resolved
    return rows


def run_object(
    connector: Connector,
    source_object: SourceObject,
    engine: Engine,
    *,
    full: bool = False,
    dry_run: bool = False,
    clock: Callable[[], datetime] = utcnow,
    on_page: PageHook | None = None,
    state: _RunState | None = None,
) -> ObjectRun:
    """Sync one object; returns what it did, with ``error`` set when it stopped early.

    ``state`` carries stored keys and owner emails between the objects of one run (a dry
    run writes nothing, so its contacts must still see the accounts it checked).
    """
    started = time.perf_counter()
    source, name, table = connector.name, source_object.name, source_object.table
    run = ObjectRun(source, name, table, dry_run=dry_run, full=full)
    import_id = f"sync-{uuid.uuid4().hex[:12]}"
    with engine.connect() as connection:
        stored = sync_state(connection, source, name)
        connection.rollback()
    if state is None:
        state = _RunState(engine)
    cursor = SyncCursor(None if full or stored is None else stored.cursor)
    run.cursor = cursor.value
    where = f"{source} {name}"
    extra = {"source": source, "object": name, "import_id": import_id, "full": full}
    logger.info("sync started", extra=extra)
    try:
        write = _PageWriter(engine, run, state, import_id, where, clock, dry_run=dry_run)
        for group in page_groups(iter(connector.read(name, cursor, full=full))):
            rows = [_resolve(page, state, run) for page in group]
            try:
                write(group, rows)
            except ImportFailed:
                if len(group) == 1:
                    raise
                state.forget_keys()  # the refused transaction stored none of its keys
                for page, page_rows in zip(group, rows, strict=True):
                    write([page], [page_rows])  # the good ones kept, the bad one located
            if on_page is not None:
                for _ in group:
                    on_page(run)
        if not dry_run:
            _finish(engine, run, import_id, clock(), state)
    except ImportFailed as exc:
        run.error = list(exc.problems) + (
            [f"… and {exc.truncated} more problem(s)"] if exc.truncated else []
        )
    except SourceError as exc:
        run.error = [str(exc)]
    except Exception as exc:  # noqa: BLE001 - recorded as the object's last error, never rows
        run.error = [f"{where}: sync failed ({type(exc).__name__}, {import_id}); the cursor stays"]
        logger.exception("sync failed unexpectedly", extra=extra)
    if run.error and not dry_run:
        with engine.begin() as connection:
            record_failure(
                connection,
                source=source,
                object_name=name,
                table_name=table,
                now=clock(),
                error=run.error[0],
            )
    run.seconds = time.perf_counter() - started
    logger.info(
        "sync finished",
        extra={
            **extra,
            "ok": run.ok,
            "pages": run.pages,
            "rows_changed": run.rows_changed,
            "deleted": run.deleted,
            "seconds": round(run.seconds, 2),
        },
    )
    return run


@dataclass
class _PageWriter:
    """Import a group of pages in one transaction with the last page's cursor."""

    engine: Engine
    run: ObjectRun
    state: _RunState
    import_id: str
    where: str
    clock: Callable[[], datetime]
    dry_run: bool = False

    def __call__(self, pages: Sequence[SourcePage], rows: Sequence[Sequence[ContractRow]]) -> None:
        run, last = self.run, pages[-1]
        batch = joined_batch(pages, rows, self.where)
        deleted = [source_id for page in pages for source_id in page.deleted_ids]
        now = self.clock()
        with self.engine.connect() as connection:
            transaction = connection.begin()
            try:
                result = import_records(
                    connection,
                    [batch],
                    import_id=self.import_id,
                    deactivate_contacts=deleted if last.table == "contacts" else (),
                    known_keys=self.state.keys,
                    write=not self.dry_run,
                    now=now,
                )
                if self.dry_run:
                    transaction.rollback()
                else:
                    save_cursor(
                        connection,
                        source=run.source,
                        object_name=run.object_name,
                        table_name=run.table,
                        cursor=last.cursor.value,
                        now=now,
                    )
                    transaction.commit()
            except DBAPIError as exc:
                if transaction.is_active:
                    transaction.rollback()
                raise ImportFailed(
                    [f"{self.where}: the database refused the page: {_reason(exc)}"]
                ) from None
            except BaseException:
                if transaction.is_active:
                    transaction.rollback()
                raise
        run.pages += len(pages)
        run.rows_changed += result.rows.get(last.table, 0)
        run.deleted += len(deleted)
        run.deactivated += result.deactivated
        run.skipped += sum(page.skipped for page in pages)
        run.cursor = last.cursor.value
        if last.table == "csms":
            for row in batch.rows:
                email = str(row.get("email") or "").strip().lower()
                if email and row.get("csm_id"):
                    self.state.owners.setdefault(email, str(row["csm_id"]))


def _finish(
    engine: Engine, run: ObjectRun, import_id: str, now: datetime, state: _RunState
) -> None:
    """Success: last success and rows changed; an empty run still counts as a fresh load."""
    with engine.begin() as connection:
        if run.pages == 0:
            import_records(
                connection,
                [RecordBatch(run.table, [], [], f"{run.source} {run.object_name}")],
                import_id=import_id,
                known_keys=state.keys_if_loaded,
                now=now,
            )
        record_success(
            connection,
            source=run.source,
            object_name=run.object_name,
            table_name=run.table,
            now=now,
            rows_changed=run.rows_changed,
            deleted_seen=run.deleted,
        )
        if run.rows_changed or run.deleted:
            connection.execute(
                insert(AuditLog.__table__).values(
                    at=now,
                    actor=f"sync:{run.source}",
                    action="sync",
                    target=f"{run.source} {run.object_name}",
                    detail={
                        "import_id": import_id,
                        "table": run.table,
                        "rows": run.rows_changed,
                        "deleted_in_source": run.deleted,
                        "contacts_marked_inactive": run.deactivated,
                        "full": run.full,
                    },
                )
            )


def run_source(
    connector: Connector,
    engine: Engine,
    *,
    object_name: str | None = None,
    full: bool = False,
    dry_run: bool = False,
    clock: Callable[[], datetime] = utcnow,
    on_page: PageHook | None = None,
) -> list[ObjectRun]:
    """Sync every object of a source in order (or one), stopping at the first failure."""
    objects = list(connector.objects())
    if object_name is not None:
        chosen = [o for o in objects if o.name.lower() == object_name.lower()]
        if not chosen:
            names = ", ".join(o.name for o in objects)
            raise SyncFailed([f"{connector.name}: no object {object_name!r}; objects: {names}"])
        objects = chosen
    runs: list[ObjectRun] = []
    state = _RunState(engine)
    for source_object in objects:
        if source_object.table not in SPECS:
            where = f"{connector.name} {source_object.name}"
            raise SyncFailed([f"{where}: {source_object.table}: not a contract table"])
        run = run_object(
            connector,
            source_object,
            engine,
            full=full,
            dry_run=dry_run,
            clock=clock,
            on_page=on_page,
            state=state,
        )
        runs.append(run)
        if not run.ok:
            break
    return runs
