"""Reading the team's usage query from their warehouse, streamed, with faults as one line.

This is the *warehouse's* SQL, the way SOQL is Salesforce's: csbot's own store is
never queried here (that SQL stays in ``bot.db``). The query text is the team's own
file (``CSBOT_USAGE_SQL_FILE``), never chat text, and every value goes in as a bound
parameter (``:since``, and ``:account`` when a run resumes).

How the file is run: csbot wraps it as a subquery::

    SELECT * FROM (<the file>) AS u WHERE u.date >= :since
    ORDER BY u.account_id, u.date

(a run that resumes after a crash adds ``AND u.account_id >= :account``), so the file
needs no ORDER BY and no cursor logic of its own, and the pages come in a fixed order
whatever it does (the sync engine commits a cursor per page, so pages must be ordered;
``bot.sources.warehouse.connector`` says why by account first). The warehouse pushes
the ``date`` filter into the aggregation; a file may also use ``:since`` itself to
prune its scan of raw events (the shipped example does). A trailing ``;`` is dropped.
A literal colon before a word inside the SQL must be written ``\\:`` (SQLAlchemy reads
``:word`` as a parameter).

The result is streamed (``stream_results`` + ``yield_per``: a server-side cursor on
PostgreSQL, DuckDB's streaming result), so memory holds one page, not the table.

Faults end as :class:`~bot.sources.sync.protocol.SourceError` with one line: an
unreachable warehouse names the URL with its password masked; a refused query names
the SQL file and the driver's first line (never the statement's parameters).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from bot.sources.sync.protocol import SourceError

logger = logging.getLogger(__name__)

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_REASON = 160
CONNECT_TIMEOUT_SECONDS = 15


def masked(url: str) -> str:
    """The URL as an error line may show it: the password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "CSBOT_USAGE_SQL_URL (not a SQLAlchemy URL)"


def _first_line(exc: BaseException, secret: str | None) -> str:
    original = getattr(exc, "orig", None) or exc
    first = (str(original).strip().splitlines() or [type(original).__name__])[0]
    if secret:
        first = first.replace(secret, "***")
    return first[:MAX_REASON]


def wrapped_query(body: str, *, date_column: str, account_column: str, resume: bool = False) -> str:
    """The team's SQL as a subquery, filtered by ``:since`` (and ``:account`` when
    resuming) and ordered by account, then date, for paging."""
    for column in (date_column, account_column):
        if not IDENTIFIER.match(column):
            raise SourceError(f"warehouse: {column!r} is not a plain column name")
    inner = body.strip().rstrip(";").strip()
    resumed = f" AND u.{account_column} >= :account" if resume else ""
    return (
        f"SELECT * FROM (\n{inner}\n) AS u WHERE u.{date_column} >= :since{resumed} "
        f"ORDER BY u.{account_column}, u.{date_column}"
    )


@dataclass
class WarehouseClient:
    """One warehouse URL and one SQL file; :meth:`pages` streams the wrapped query."""

    url: str
    sql_file: Path
    page_rows: int = 10_000

    @property
    def file_name(self) -> str:
        return self.sql_file.name

    def sql_text(self) -> str:
        try:
            body = self.sql_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise SourceError(
                f"warehouse: CSBOT_USAGE_SQL_FILE {self.sql_file}: cannot be read "
                f"({exc.strerror or type(exc).__name__})"
            ) from None
        if not body.strip().rstrip(";").strip():
            raise SourceError(f"warehouse: {self.file_name}: the SQL file is empty")
        return body

    def _password(self) -> str | None:
        try:
            return make_url(self.url).password  # type: ignore[return-value]
        except ArgumentError:
            return None

    def _engine(self) -> Engine:
        try:
            url = make_url(self.url)
        except ArgumentError:
            raise SourceError("warehouse: CSBOT_USAGE_SQL_URL is not a SQLAlchemy URL") from None
        connect_args: dict[str, Any] = {}
        backend = url.get_backend_name()
        if backend == "postgresql":
            connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
        elif backend == "duckdb":
            connect_args["read_only"] = True  # csbot only reads; a missing file is an error
        try:
            return create_engine(url, poolclass=NullPool, connect_args=connect_args)
        except NoSuchModuleError:
            raise SourceError(
                f"warehouse: no SQLAlchemy dialect for {url.drivername!r} is installed "
                "(e.g. snowflake-sqlalchemy, sqlalchemy-bigquery)"
            ) from None
        except (ArgumentError, ImportError) as exc:
            raise SourceError(
                f"warehouse: {masked(self.url)}: {_first_line(exc, self._password())}"
            ) from None

    def pages(
        self, sql: str, params: Mapping[str, Any]
    ) -> Iterator[tuple[Sequence[str], Sequence[Sequence[Any]]]]:
        """(column names in lower case, rows) per page of at most ``page_rows`` rows.

        A query that returns no rows gives one ``(columns, [])``, so its columns are
        checked all the same.
        """
        engine = self._engine()
        secret = self._password()
        try:
            try:
                connection = engine.connect()
            except (DBAPIError, OSError) as exc:
                raise SourceError(
                    f"warehouse: cannot connect to {masked(self.url)}: {_first_line(exc, secret)}"
                ) from None
            with connection:
                read = 0
                try:
                    result = connection.execution_options(
                        stream_results=True, yield_per=self.page_rows
                    ).execute(text(sql), dict(params))
                    columns = [str(name).lower() for name in result.keys()]  # noqa: SIM118 - a Result
                except SQLAlchemyError as exc:
                    raise SourceError(
                        f"warehouse: {self.file_name}: the warehouse refused the query: "
                        f"{_first_line(exc, secret)}"
                    ) from None
                try:
                    for part in result.partitions(self.page_rows):
                        read += len(part)
                        yield columns, part
                    if not read:
                        yield columns, []  # no rows: the columns are still checked
                except SQLAlchemyError as exc:
                    raise SourceError(
                        f"warehouse: {self.file_name}: reading the result failed after "
                        f"{read} rows: {_first_line(exc, secret)}"
                    ) from None
        finally:
            engine.dispose()
