"""The warehouse connector: per-account daily usage rows since the cursor → ``usage_daily``.

The aggregation runs in the warehouse (PostgreSQL, DuckDB, Snowflake, BigQuery: any
SQLAlchemy URL in ``CSBOT_USAGE_SQL_URL``): the team's SQL file
(``CSBOT_USAGE_SQL_FILE``; see ``usage_daily.example.sql`` beside this module) turns raw
events into one row per account and day, and csbot pulls only those rows, streamed,
in pages of ``CSBOT_USAGE_SQL_PAGE_ROWS`` (``bot.sources.warehouse.client`` runs it).

The cursor is the newest ``date`` read. Why the next run starts *before* it: a day's
row is an aggregate, and events arrive late (mobile clients offline, pipelines that
land hours behind), so the day csbot read yesterday may have more events today. Each
run therefore re-reads the days ``>= cursor - CSBOT_USAGE_SQL_LOOKBACK_DAYS`` (3 by
default) and the importer's upsert by ``(account_id, date)`` replaces those rows with
the corrected totals: re-reading is idempotent, so the look-back costs a few days of
rows per run, never a duplicate. Events later than the look-back need
``csbot sync run warehouse --full``. The same overlap makes a run cut short safe: a
page may end in the middle of a day, and the next run starts at or before that day.

Pages come in ``date, account_id`` order (the client wraps the file with that ORDER
BY), each page's cursor is the date of its last row, and the engine commits it with
the page's rows, so a crash resumes from the last committed page.

The mapping (``warehouse.yaml``) names the column the query returns for each contract
column (identity by default); the query must return exactly those columns, and a
missing or extra one is refused before anything is read, naming the file.

Rows of accounts not in the store are skipped and counted, as Zendesk skips tickets of
organizations it has no account for: a warehouse also holds trials, test tenants and
internal users that CS does not manage. An account added later gets its older usage
with ``--full``. A bad value fails its page with a located line through the importer
(``warehouse usage_daily acme/2026-03-01: active_users: 'x': is not a whole number``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot.settings import Settings
from bot.sources.sync.mapping import ObjectMapping, SourceMapping, load_mapping
from bot.sources.sync.protocol import (
    ContractRow,
    SourceError,
    SourceObject,
    SourcePage,
    SyncCursor,
)
from bot.sources.warehouse.client import WarehouseClient, wrapped_query

FIRST_DAY = date(1900, 1, 1)
"""``:since`` on a first (or ``--full``) run: every row the query returns."""

EXAMPLE_SQL = Path(__file__).with_name("usage_daily.example.sql")
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    """A warehouse value as a contract cell: dates as ISO text, numerics as numbers."""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def _cells(values: Sequence[Any]) -> Sequence[Any]:
    """One column of a page as contract cells (untouched when already plain: the fast path)."""
    if set(map(type, values)) <= _PLAIN:
        return values
    return [v if type(v) in _PLAIN else _plain(v) for v in values]


class _RowIds(Sequence[str]):
    """``account/date`` of each row, worked out only when an error line needs one."""

    def __init__(self, accounts: Sequence[Any], dates: Sequence[Any]) -> None:
        self._accounts, self._dates = accounts, dates

    def __len__(self) -> int:
        return len(self._accounts)

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        return f"{self._accounts[index]}/{self._dates[index]}"


def parse_cursor(cursor: SyncCursor) -> date | None:
    if cursor.value is None:
        return None
    try:
        return date.fromisoformat(cursor.value)
    except ValueError:
        raise SourceError(
            f"warehouse: stored cursor {cursor.value[:40]!r} is not a date; "
            "run `csbot sync run warehouse --full`"
        ) from None


@dataclass
class WarehouseConnector:
    """Reads ``usage_daily`` rows from the team's query; accounts are looked up once per run."""

    client: WarehouseClient
    mapping: SourceMapping
    accounts: Callable[[], frozenset[str]]
    lookback_days: int = 3
    name: str = "warehouse"
    _known: frozenset[str] | None = field(default=None, repr=False)

    def objects(self) -> Sequence[SourceObject]:
        return [SourceObject(name, m.table) for name, m in self.mapping.objects.items()]

    def since(self, cursor: SyncCursor, *, full: bool) -> date:
        """The first day to read: the cursor's day less the look-back (see the module doc)."""
        last = None if full else parse_cursor(cursor)
        return FIRST_DAY if last is None else last - timedelta(days=self.lookback_days)

    def read(
        self, object_name: str, cursor: SyncCursor, *, full: bool = False
    ) -> Iterator[SourcePage]:
        mapping = self.mapping.object(object_name)
        if mapping.table != "usage_daily":
            raise SourceError(
                f"warehouse {object_name}: table {mapping.table!r}: the warehouse source "
                "fills usage_daily only"
            )
        source_of = _source_columns(mapping)
        sql = wrapped_query(
            self.client.sql_text(),
            date_column=source_of["date"],
            account_column=source_of["account_id"],
        )
        since = self.since(cursor, full=full)
        position = cursor.value
        checked = False
        for columns, part in self.client.pages(sql, since):
            if not checked:
                self._check_columns(object_name, mapping, columns)
                checked = True
            if not part:
                continue
            rows, ids, skipped, last_date = self._page(mapping, source_of, columns, part)
            position = last_date or position
            yield SourcePage(
                table=mapping.table,
                rows=rows,
                source_ids=ids,
                cursor=SyncCursor(position),
                fields=mapping.fields,
                skipped=skipped,
            )

    def _check_columns(
        self, object_name: str, mapping: ObjectMapping, columns: Sequence[str]
    ) -> None:
        wanted = [rule.field for rule in mapping.columns if rule.field]
        missing = [name for name in wanted if name not in columns]
        extra = [name for name in columns if name not in wanted]
        duplicated = sorted({name for name in columns if columns.count(name) > 1})
        problems = []
        if missing:
            problems.append(f"returns no {', '.join(missing)} column")
        if extra:
            problems.append(f"returns {', '.join(extra)}, not a column of the mapping")
        if duplicated:
            problems.append(f"returns {', '.join(duplicated)} more than once")
        if problems:
            raise SourceError(
                f"warehouse {object_name}: {self.client.file_name}: {'; '.join(problems)} "
                f"(expected exactly: {', '.join(wanted)})"
            )

    def _known_accounts(self) -> frozenset[str]:
        if self._known is None:
            self._known = self.accounts()
        return self._known

    def _page(
        self,
        mapping: ObjectMapping,
        source_of: Mapping[str, str],
        columns: Sequence[str],
        part: Sequence[Sequence[Any]],
    ) -> tuple[list[ContractRow], Sequence[str], int, str | None]:
        """(rows of known accounts, their ids, rows skipped, the page's last date)."""
        by_column = dict(zip(columns, (_cells(c) for c in zip(*part, strict=True)), strict=True))
        accounts = [str(v) if v is not None else "" for v in by_column[source_of["account_id"]]]
        by_column[source_of["account_id"]] = accounts
        dates = by_column[source_of["date"]]
        last_date = str(dates[-1])[:10] if dates[-1] is not None else None
        known = self._known_accounts()
        keep = [account in known for account in accounts]
        skipped = len(keep) - sum(keep)
        if _all_plain(mapping):
            names = [rule.column for rule in mapping.columns]
            values = [by_column[rule.field] for rule in mapping.columns]  # type: ignore[index]
            rows: list[ContractRow] = [
                dict(zip(names, row, strict=True)) for row in zip(*values, strict=True)
            ]
        else:
            records = [
                dict(zip(by_column, row, strict=True))
                for row in zip(*by_column.values(), strict=True)
            ]
            rows = [mapping.apply(record) for record in records]
        if skipped:
            rows = [row for row, kept in zip(rows, keep, strict=True) if kept]
            accounts = [a for a, kept in zip(accounts, keep, strict=True) if kept]
            dates = [d for d, kept in zip(dates, keep, strict=True) if kept]
        return rows, _RowIds(accounts, dates), skipped, last_date


def _source_columns(mapping: ObjectMapping) -> dict[str, str]:
    """Contract column → the query's column, for the key columns the client orders by."""
    out = {rule.column: rule.field for rule in mapping.columns if rule.field}
    for column in ("account_id", "date"):
        if column not in out:
            raise SourceError(
                f"warehouse {mapping.name}: {column}: the mapping must take it from a column"
            )
    return {column: str(name).lower() for column, name in out.items()}


def _all_plain(mapping: ObjectMapping) -> bool:
    return all(
        rule.field is not None
        and "." not in rule.field
        and rule.transform is None
        and rule.values is None
        and rule.default is None
        for rule in mapping.columns
    )


# --- the registry's entry points (bot.sources.sync.registry) ----------------------------
def configured(settings: Settings) -> bool:
    """The warehouse syncs when ``CSBOT_USAGE_SQL_URL`` is set."""
    return settings.usage_sql_url is not None


def store_accounts(settings: Settings) -> Callable[[], frozenset[str]]:
    """Reads the store's account ids once, when the first page needs them."""

    def load() -> frozenset[str]:
        from bot.db.billing_links import account_index
        from bot.db.session import make_engine

        engine = make_engine(settings.resolved_database_url)
        try:
            with engine.connect() as connection:
                return account_index(connection).ids
        finally:
            engine.dispose()

    return load


def build_client(settings: Settings) -> WarehouseClient:
    if settings.usage_sql_url is None:
        raise SourceError("warehouse: CSBOT_USAGE_SQL_URL is not set")
    if settings.usage_sql_file is None:
        raise SourceError(
            "warehouse: CSBOT_USAGE_SQL_FILE is not set (start from "
            f"{EXAMPLE_SQL.name} in bot/sources/warehouse)"
        )
    return WarehouseClient(
        url=settings.usage_sql_url.get_secret_value(),
        sql_file=Path(settings.usage_sql_file),
        page_rows=settings.usage_sql_page_rows,
    )


def build(settings: Settings) -> WarehouseConnector:
    mapping = load_mapping("warehouse", settings.sync_mapping_dir)
    return WarehouseConnector(
        client=build_client(settings),
        mapping=mapping,
        accounts=store_accounts(settings),
        lookback_days=settings.usage_sql_lookback_days,
    )
