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
``csbot sync run warehouse --full``.

Pages come in ``account_id, date`` order (the client wraps the file with that ORDER
BY), the order of the store's primary key: each page's upserts then land on a few
neighbouring index pages. In ``date, account_id`` order every page of a first load
(half a day of 10,000 accounts) touches thousands of index pages spread over the
whole table, and every page's commit rewrites them: 0.9 M rows took 16.0 s that way
against 10.2 s (SQLite store), and the gap grows with the table. The engine commits
each page with its cursor, so while a run is under way a page's cursor says where the
run stands: ``{"since": day, "account": last account of the page, "newest": newest
date so far}``. A run cut short resumes with that ``since`` from that account (its
rows read again: upsert by key makes that harmless); the run's last page stores the
plain newest date, which the next run starts from, less the look-back.

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

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import compress
from pathlib import Path
from typing import Any

from bot.db.billing_links import AccountIndex, lazy_account_index
from bot.settings import Settings
from bot.sources.importer.records import ColumnRows
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


def _cell(value: Any) -> Any:
    """A warehouse value as the text a contract file would hold (``None`` stays empty)."""
    if value is None or type(value) is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else str(float(value))
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


_WHOLE_COLUMN: dict[type, Callable[[Any], str]] = {
    int: str,
    float: str,
    date: date.isoformat,
}


def _cells(values: Sequence[Any]) -> Sequence[Any]:
    """One column of a page as text cells, converted a whole column at a time when it has
    one plain type (the usual case: C-level ``map``), else value by value.

    Text, not numbers: the importer reads text cells without converting each one again.
    """
    kinds = set(map(type, values))
    if kinds == {str}:
        return values
    if len(kinds) == 1:
        convert = _WHOLE_COLUMN.get(next(iter(kinds)))
        if convert is not None:
            return list(map(convert, values))
    return [_cell(value) for value in values]


class _RowIds(Sequence[str]):
    """``account/date`` of each row, worked out only when an error line needs one."""

    def __init__(self, accounts: Sequence[Any], dates: Sequence[Any]) -> None:
        self._accounts, self._dates = accounts, dates

    def __len__(self) -> int:
        return len(self._accounts)

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        return f"{self._accounts[index]}/{self._dates[index]}"


@dataclass(frozen=True)
class UsageCursor:
    """Where the usage read stands: ``newest`` date read; while a run is under way also
    the ``since`` it started from and the ``account`` its last committed page ended in."""

    newest: str | None = None
    since: str | None = None
    account: str | None = None

    @classmethod
    def parse(cls, cursor: SyncCursor) -> UsageCursor:
        value = cursor.value
        if value is None:
            return cls()
        try:
            if value.startswith("{"):
                data = json.loads(value)
                made = cls(data.get("newest"), str(data["since"]), str(data["account"]))
                date.fromisoformat(made.since or "")
            else:
                made = cls(value)
            if made.newest is not None:
                date.fromisoformat(made.newest)
            return made
        except (ValueError, KeyError, TypeError, AttributeError):
            raise SourceError(
                f"warehouse: stored cursor {value[:40]!r} is not a usage cursor; "
                "run `csbot sync run warehouse --full`"
            ) from None

    @property
    def in_progress(self) -> bool:
        return self.account is not None

    def text(self) -> SyncCursor:
        if self.account is None:
            return SyncCursor(self.newest)
        return SyncCursor(
            json.dumps({"since": self.since, "account": self.account, "newest": self.newest})
        )


def _newer(a: str | None, b: str | None) -> str | None:
    return b if a is None or (b is not None and b > a) else a


def _iso_day(value: Any) -> str | None:
    """A page's date cell as ``YYYY-MM-DD`` when it is one (the importer refuses the rest)."""
    if value is None:
        return None
    text = str(value)[:10]
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


@dataclass
class WarehouseConnector:
    """Reads ``usage_daily`` rows from the team's query; accounts are looked up once per run."""

    client: WarehouseClient
    mapping: SourceMapping
    accounts: Callable[[], AccountIndex]
    lookback_days: int = 3
    name: str = "warehouse"
    _known: frozenset[str] | None = field(default=None, repr=False)

    def objects(self) -> Sequence[SourceObject]:
        return [SourceObject(name, m.table) for name, m in self.mapping.objects.items()]

    def since(self, position: UsageCursor) -> date:
        """The first day to read: the cursor's day less the look-back (see the module doc)."""
        if position.since is not None:
            return date.fromisoformat(position.since)
        if position.newest is None:
            return FIRST_DAY
        return date.fromisoformat(position.newest) - timedelta(days=self.lookback_days)

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
        position = UsageCursor() if full else UsageCursor.parse(cursor)
        sql = wrapped_query(
            self.client.sql_text(),
            date_column=source_of["date"],
            account_column=source_of["account_id"],
            resume=position.in_progress,
        )
        since = self.since(position)
        params: dict[str, Any] = {"since": since}
        if position.in_progress:
            params["account"] = position.account
        newest = position.newest
        pending: SourcePage | None = None
        checked = False
        for columns, part in self.client.pages(sql, params):
            if not checked:
                self._check_columns(object_name, mapping, columns)
                checked = True
            if not part:
                continue
            rows, ids, skipped, last_account, page_newest = self._page(
                mapping, source_of, columns, part
            )
            newest = _newer(newest, page_newest)
            if pending is not None:
                yield pending
            # Held back one page: only the run's last page may store the plain date.
            pending = SourcePage(
                table=mapping.table,
                rows=rows,
                source_ids=ids,
                cursor=UsageCursor(newest, since.isoformat(), last_account).text(),
                fields=mapping.fields,
                skipped=skipped,
            )
        done = UsageCursor(newest).text()
        if pending is not None:
            yield replace(pending, cursor=done)
        elif position.in_progress:  # resumed with nothing left: the run is complete
            yield SourcePage(table=mapping.table, rows=[], source_ids=[], cursor=done)

    def _check_columns(
        self, object_name: str, mapping: ObjectMapping, columns: Sequence[str]
    ) -> None:
        wanted = [rule.field.lower() for rule in mapping.columns if rule.field]
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
            self._known = self.accounts().ids
        return self._known

    def _page(
        self,
        mapping: ObjectMapping,
        source_of: Mapping[str, str],
        columns: Sequence[str],
        part: Sequence[Sequence[Any]],
    ) -> tuple[Sequence[ContractRow], Sequence[str], int, str, str | None]:
        """(rows of known accounts, their ids, rows skipped, the page's last account, its
        newest date)."""
        by_column = dict(zip(columns, (_cells(c) for c in zip(*part, strict=True)), strict=True))
        accounts = by_column[source_of["account_id"]]
        if None in accounts:  # the importer reports it (required); no account matches it
            accounts = ["" if v is None else v for v in accounts]
        dates = by_column[source_of["date"]]
        last_account = str(accounts[-1])
        filled = dates if None not in dates else [d for d in dates if d is not None]
        newest = _iso_day(max(filled, default=None))
        known = self._known_accounts()
        if known.issuperset(accounts):  # the usual page: one C-level pass
            keep: Sequence[bool] = ()
            skipped = 0
        else:
            keep = [account in known for account in accounts]
            skipped = len(keep) - sum(keep)
        rows: Sequence[ContractRow]
        if _all_plain(mapping):  # handed over as columns: no dict per row
            rows = ColumnRows(
                {
                    rule.column: _kept(by_column[str(rule.field).lower()], keep, skipped)
                    for rule in mapping.columns
                }
            )
        else:
            records = [
                dict(zip(by_column, row, strict=True))
                for row in zip(*by_column.values(), strict=True)
            ]
            rows = [mapping.apply(record) for record in _kept(records, keep, skipped)]
        accounts = _kept(accounts, keep, skipped)
        dates = _kept(dates, keep, skipped)
        return rows, _RowIds(accounts, dates), skipped, last_account, newest


def _kept(values: Sequence[Any], keep: Sequence[bool], skipped: int) -> Sequence[Any]:
    return list(compress(values, keep)) if skipped else values


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
        accounts=lazy_account_index(settings.resolved_database_url),
        lookback_days=settings.usage_sql_lookback_days,
    )
