"""A real usage warehouse for tests: a PostgreSQL schema or a DuckDB file, with raw events.

The warehouse side of ``bot.sources.warehouse``: tests write raw ``events`` (the shape
``usage_daily.example.sql`` reads) or pre-aggregated ``usage_rows`` into it, and work
out the expected ``usage_daily`` rows in Python, independently of the SQL. Every
write opens and closes its own connection: csbot opens a DuckDB file read-only, which
DuckDB refuses while this process still holds it open for writing.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.support.databases import postgres_schema_url

EVENTS_DDL = (
    "CREATE TABLE events (account_id VARCHAR(40), user_id VARCHAR(40), event_name VARCHAR(40), "
    "feature VARCHAR(40), occurred_at TIMESTAMP, duration_seconds INTEGER)"
)
USAGE_ROWS_DDL = (
    "CREATE TABLE usage_rows (account_id VARCHAR(40), day DATE, active_users VARCHAR(20), "
    "logins INTEGER, events INTEGER, features_used INTEGER, session_minutes DOUBLE PRECISION)"
)
USAGE_ROWS_SQL = (
    "SELECT account_id, day AS date, active_users, logins, events, features_used, "
    "session_minutes FROM usage_rows"
)
FEATURES = ("reports", "exports", "dashboards", "alerts", "api", None)

Event = tuple[str, str, str, str | None, datetime, int | None]
"""account_id, user_id, event_name, feature, occurred_at, duration_seconds."""

UsageRow = dict[str, object]


@dataclass
class Warehouse:
    kind: str  # "postgres" | "duckdb"
    url: str

    def execute(self, sql: str, rows: Sequence[dict[str, object]] | None = None) -> None:
        engine = create_engine(self.url, poolclass=NullPool)
        try:
            with engine.begin() as connection:
                connection.execute(text(sql), rows) if rows else connection.execute(text(sql))
        finally:
            engine.dispose()

    def create_events(self) -> None:
        self.execute(EVENTS_DDL)

    def add_events(self, events: Iterable[Event]) -> None:
        if self.kind == "duckdb":  # DuckDB's executemany is slow; a DataFrame scan is not
            import duckdb
            import pandas as pd

            frame = pd.DataFrame(list(events), columns=["a", "u", "e", "f", "t", "d"])
            frame["d"] = frame["d"].astype("Int64")
            with duckdb.connect(self.url.removeprefix("duckdb:///")) as connection:
                connection.register("new_events", frame)
                connection.execute("INSERT INTO events SELECT * FROM new_events")
            return
        rows = [{"a": a, "u": u, "e": e, "f": f, "t": t, "d": d} for a, u, e, f, t, d in events]
        if rows:
            self.execute("INSERT INTO events VALUES (:a, :u, :e, :f, :t, :d)", rows)

    def create_usage_rows(self) -> None:
        self.execute(USAGE_ROWS_DDL)

    def add_usage_rows(self, rows: Iterable[UsageRow]) -> None:
        params = [{**row, "active_users": str(row["active_users"])} for row in rows]
        self.execute(
            "INSERT INTO usage_rows VALUES (:account_id, :date, :active_users, :logins, "
            ":events, :features_used, :session_minutes)",
            params,
        )

    def fill_usage_rows(self, accounts: int, days: int, first: date) -> None:
        """``accounts × days`` pre-aggregated rows generated in the warehouse itself."""
        n = accounts * days
        if self.kind == "duckdb":
            source, day = f"range({n}) AS t(i)", f"CAST(i // {accounts} AS INTEGER)"
        else:
            source, day = f"generate_series(0, {n - 1}) AS i", f"(i / {accounts})"
        self.execute(
            f"INSERT INTO usage_rows SELECT 'acc-' || lpad(CAST(i % {accounts} AS VARCHAR), 3, '0'), "
            f"DATE '{first.isoformat()}' + {day}, CAST(i % 9 + 1 AS VARCHAR), "
            f"CAST(i % 4 AS INTEGER), CAST(i % 50 + 10 AS INTEGER), CAST(i % 6 AS INTEGER), "
            f"CAST(i % 120 AS DOUBLE PRECISION) / 2 FROM {source}"
        )


@contextmanager
def warehouse(kind: str, tmp_path: Path) -> Iterator[Warehouse]:
    """A warehouse of its own: a fresh PostgreSQL schema, or a DuckDB file under tmp_path."""
    if kind == "duckdb":
        yield Warehouse("duckdb", f"duckdb:///{(tmp_path / 'warehouse.duckdb').as_posix()}")
        return
    with postgres_schema_url() as url:
        yield Warehouse("postgres", url)


def generate_events(accounts: Sequence[str], days: Sequence[date], seed: int = 7) -> list[Event]:
    """A few users per account and day doing logins, feature clicks and sessions.

    Accounts differ in team size, and every third one fades over the last two weeks, so
    their health scores differ.

    Session durations are whole multiples of 6 s, so minutes have one exact decimal and
    no rounding rule (SQL's or Python's) can make two sides differ.
    """
    rng = random.Random(seed)
    events: list[Event] = []
    last = max(days)
    for day in days:
        start = datetime(day.year, day.month, day.day)
        for n, account in enumerate(accounts):
            fading = n % 3 == 0 and (last - day).days < 14  # a third of them use it less lately
            if rng.random() < (0.6 if fading else 0.1):
                continue  # no usage that day
            for user in range(rng.randint(1, 1 + n % 6)):
                user_id = f"{account}-u{user}"
                at = start + timedelta(hours=rng.randint(0, 20), minutes=rng.randint(0, 59))
                events.append((account, user_id, "login", None, at, None))
                for _ in range(rng.randint(0, 4)):
                    feature = rng.choice(FEATURES)
                    events.append((account, user_id, "click", feature, at, None))
                events.append((account, user_id, "session_end", None, at, 6 * rng.randint(5, 300)))
    return events


def usage_daily(events: Iterable[Event]) -> dict[tuple[str, str], UsageRow]:
    """The contract rows the events make, aggregated in Python (the test's own oracle)."""
    users: dict[tuple[str, str], set[str]] = defaultdict(set)
    features: dict[tuple[str, str], set[str]] = defaultdict(set)
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for account, user, name, feature, at, seconds in events:
        key = (account, at.date().isoformat())
        users[key].add(user)
        if feature is not None:
            features[key].add(feature)
        tally = counts[key]
        tally[0] += name == "login"
        tally[1] += 1
        tally[2] += seconds or 0
    return {
        key: {
            "account_id": key[0],
            "date": key[1],
            "active_users": len(users[key]),
            "logins": tally[0],
            "events": tally[1],
            "features_used": len(features[key]),
            "session_minutes": round(tally[2] / 60, 1),
        }
        for key, tally in sorted(counts.items(), key=lambda item: (item[0][1], item[0][0]))
    }
