"""Benchmark: 3.6 M usage_daily rows from a DuckDB warehouse, against a reference.

The warehouse is a DuckDB file generated with SQL (``--accounts`` × ``--days`` rows,
default 10,000 × 360); the team's query reads it. Beside ``csbot sync run warehouse``
(the query streamed, a transaction per page with its cursor) the same run times a
reference: the same wrapped query fetched with plain SQLAlchemy, written as contract
CSVs (usage_daily.csv beside csms.csv and accounts.csv) and loaded with
``import_folder`` (``csbot import``) in one transaction. The sync side imports the same
csms/accounts CSVs first (inside its timing), so both do the same work.

Each side runs in its own child process, so its peak RSS is its own; sides alternate
(reference, sync, reference, sync…), best of ``--repeat``. Memory flat: the sync side
samples its RSS after each page, and also runs at a quarter of the days (0.9 M rows) so
its peak RSS can be compared with the full run's.

DuckDB runs inside the syncing process and holds the whole sorted result (the ORDER BY
csbot wraps the query in) before the first page, so that side's peak grows with rows
for DuckDB's sake. ``--postgres-memory URL`` also syncs both sizes from a PostgreSQL
warehouse (the same rows in a schema of their own, dropped afterwards), where the sort
happens in the server: there the process's peak RSS is csbot's own.

Targets: sync ≤ 1.5 × reference; peak RSS not growing with rows.

    .venv/bin/python bench/bench_sync_usage.py [--accounts 10000] [--days 360] [--repeat 2]
        [--postgres-memory postgresql+psycopg://csbot:csbot@127.0.0.1:5432/csbot_test]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._process import cpu_seconds, current_rss_mib, peak_rss_mib, run_side  # noqa: E402

FIRST_DAY = date(2025, 1, 1)
QUERY = (
    "SELECT account_id, date, active_users, logins, events, features_used, session_minutes\n"
    "FROM usage_src\n"
)
COLUMNS = ["account_id", "date", "active_users", "logins", "events", "features_used"] + [
    "session_minutes"
]


def account_id(n: int) -> str:
    return f"acc-{n:05d}"


def make_warehouse(path: Path, accounts: int, days: int) -> float:
    """``accounts × days`` usage rows generated inside DuckDB (seconds it took)."""
    import duckdb

    started = time.perf_counter()
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            f"""
            CREATE TABLE usage_src AS
            SELECT 'acc-' || lpad(CAST(a AS VARCHAR), 5, '0') AS account_id,
                   DATE '{FIRST_DAY.isoformat()}' + CAST(d AS INTEGER) AS date,
                   CAST(hash(a, d) % 40 AS INTEGER) AS active_users,
                   CAST(hash(d, a) % 25 AS INTEGER) AS logins,
                   CAST(hash(a * 7, d) % 900 AS INTEGER) AS events,
                   CAST(hash(a, d * 3) % 12 AS INTEGER) AS features_used,
                   ROUND(CAST(hash(a + d) % 6000 AS DOUBLE) / 10, 1) AS session_minutes
            FROM range({accounts}) AS t(a), range({days}) AS s(d)
            """
        )
    return time.perf_counter() - started


def make_postgres_warehouse(base_url: str, schema: str, accounts: int, days: int) -> str:
    """The same rows in a PostgreSQL schema of their own; returns its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        connection.execute(
            text(
                f"""
                CREATE TABLE "{schema}".usage_src AS
                SELECT 'acc-' || lpad(a::text, 5, '0') AS account_id,
                       DATE '{FIRST_DAY.isoformat()}' + d AS date,
                       (a * 7 + d * 13) % 40 AS active_users, (a + d * 3) % 25 AS logins,
                       (a * 11 + d) % 900 AS events, (a + d) % 12 AS features_used,
                       ((a * 3 + d * 17) % 6000) / 10.0 AS session_minutes
                FROM generate_series(0, {accounts - 1}) AS a,
                     generate_series(0, {days - 1}) AS d
                """
            )
        )
    admin.dispose()
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def drop_postgres_schema(base_url: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def team_files(folder: Path, accounts: int) -> None:
    (folder / "csms.csv").write_text("csm_id,name,email\ncsm-1,Casey Lee,casey@example.com\n")
    with (folder / "accounts.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_id", "name", "csm_id", "licensed_seats", "status"])
        for n in range(accounts):
            writer.writerow([account_id(n), f"Account {n}", "csm-1", 50, "active"])


def side_sync(database: Path, folder: Path) -> dict[str, object]:
    from bot.db.migrate import upgrade_to_head
    from bot.db.session import make_engine
    from bot.settings import load_settings
    from bot.sources.importer import import_folder
    from bot.sources.sync.engine import run_source
    from bot.sources.sync.registry import build_connector

    settings = load_settings()
    engine = make_engine(f"sqlite:///{database}")
    upgrade_to_head(engine)
    samples: list[float] = []

    def sample(run: object) -> None:
        samples.append(current_rss_mib())

    started, cpu = time.perf_counter(), cpu_seconds()
    import_folder(folder, engine, actor="bench")  # csms + accounts only
    runs = run_source(build_connector("warehouse", settings), engine, on_page=sample)
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    assert all(run.ok for run in runs), [run.error for run in runs]
    return {
        "rows": sum(run.rows_changed for run in runs),
        "pages": sum(run.pages for run in runs),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mib": peak_rss_mib(),
        "rss_page_1_mib": samples[0] if samples else 0.0,
        "rss_page_10_mib": samples[min(10, len(samples) - 1)] if samples else 0.0,
        "rss_max_after_page_10_mib": max(samples[10:], default=0.0),
        "rss_last_page_mib": samples[-1] if samples else 0.0,
    }


def side_reference(database: Path, folder: Path, url: str, sql_file: Path) -> dict[str, object]:
    """The same wrapped query fetched with plain SQLAlchemy → usage_daily.csv → import_folder."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from bot.db.migrate import upgrade_to_head
    from bot.db.session import make_engine
    from bot.sources.importer import import_folder
    from bot.sources.warehouse.client import wrapped_query

    engine = make_engine(f"sqlite:///{database}")
    upgrade_to_head(engine)
    started, cpu = time.perf_counter(), cpu_seconds()
    sql = wrapped_query(sql_file.read_text(), date_column="date", account_column="account_id")
    warehouse = create_engine(url, poolclass=NullPool, connect_args={"read_only": True})
    with (
        warehouse.connect() as connection,
        (folder / "usage_daily.csv").open("w", newline="") as handle,
    ):
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        result = connection.execution_options(stream_results=True, yield_per=5000).execute(
            text(sql), {"since": date(1900, 1, 1)}
        )
        for part in result.partitions(5000):
            writer.writerows(part)
    warehouse.dispose()
    report = import_folder(folder, engine, actor="bench")
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    return {
        "rows": report.rows.get("usage_daily", 0),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mib": peak_rss_mib(),
    }


def child(side: str, args: list[str], env: dict[str, str]) -> dict[str, float]:
    return run_side(__file__, ["--side", side, *args], env)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=360)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--postgres-memory",
        metavar="URL",
        help="also sync both sizes from a PostgreSQL warehouse (sorted server-side) for RSS",
    )
    parser.add_argument("--side", choices=["sync", "reference"])
    parser.add_argument("--database", type=Path)
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--url")
    parser.add_argument("--sql", type=Path)
    args = parser.parse_args()
    if args.side == "sync":
        print(json.dumps(side_sync(args.database, args.folder)))
        return
    if args.side == "reference":
        print(json.dumps(side_reference(args.database, args.folder, args.url, args.sql)))
        return

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sql_file = work / "usage_daily.sql"
        sql_file.write_text(QUERY)
        env_base = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "CSBOT_LOG_LEVEL": "WARNING",
            "CSBOT_DATA_DIR": str(work / "var"),
            "CSBOT_USAGE_SQL_FILE": str(sql_file),
        }
        small_days = max(1, args.days // 4)
        warehouses = {}
        for days in (args.days, small_days):
            path = work / f"warehouse-{days}.duckdb"
            made = make_warehouse(path, args.accounts, days)
            warehouses[days] = f"duckdb:///{path}"
            print(f"warehouse: {args.accounts * days:,} rows generated in DuckDB in {made:.1f}s")
        team = work / "team"
        team.mkdir()
        team_files(team, args.accounts)

        def run(side: str, days: int, n: int) -> dict[str, float]:
            database = work / f"{side}-{days}-{n}.db"
            url = warehouses[days]
            env = {
                **env_base,
                "CSBOT_USAGE_SQL_URL": url,
                "CSBOT_DATABASE_URL": f"sqlite:///{database}",
            }
            if side == "sync":
                return child("sync", ["--database", str(database), "--folder", str(team)], env)
            folder = work / f"csv-{n}"
            folder.mkdir()
            for name in ("csms.csv", "accounts.csv"):
                (folder / name).write_bytes((team / name).read_bytes())
            extra = ["--folder", str(folder), "--url", url, "--sql", str(sql_file)]
            try:
                return child("reference", ["--database", str(database), *extra], env)
            finally:
                (folder / "usage_daily.csv").unlink(missing_ok=True)

        references, syncs = [], []
        for n in range(args.repeat):
            references.append(run("reference", args.days, n))
            syncs.append(run("sync", args.days, n))
        small = run("sync", small_days, 99)
        postgres: dict[int, dict[str, float]] = {}
        if args.postgres_memory:
            for days in (small_days, args.days):
                schema = f"bench_usage_{os.getpid()}_{days}"
                try:
                    warehouses[days] = make_postgres_warehouse(
                        args.postgres_memory, schema, args.accounts, days
                    )
                    postgres[days] = run("sync", days, 200 + days)
                finally:
                    drop_postgres_schema(args.postgres_memory, schema)

    reference = min(references, key=lambda r: r["seconds"])
    synced = min(syncs, key=lambda r: r["seconds"])
    ratio = synced["seconds"] / reference["seconds"]
    cpu_ratio = synced["cpu_seconds"] / reference["cpu_seconds"]
    print(
        f"rows: {args.accounts:,} accounts × {args.days} days = {args.accounts * args.days:,} "
        f"usage_daily rows; sync pages of {synced['rows'] / max(synced['pages'], 1):,.0f} "
        "rows; store SQLite"
    )
    print(f"best of {args.repeat} runs per side, sides alternated, each in its own process")
    print(
        f"reference (query → CSV → import_folder): {reference['seconds']:.2f}s "
        f"(CPU {reference['cpu_seconds']:.2f}s), {reference['rows']:.0f} rows, "
        f"peak RSS {reference['peak_rss_mib']:.0f} MiB"
    )
    print(
        f"csbot sync run warehouse (full):         {synced['seconds']:.2f}s "
        f"(CPU {synced['cpu_seconds']:.2f}s), {synced['rows']:.0f} rows in "
        f"{synced['pages']:.0f} pages, peak RSS {synced['peak_rss_mib']:.0f} MiB "
        f"(RSS after page 1: {synced['rss_page_1_mib']:.0f} MiB, page 10: "
        f"{synced['rss_page_10_mib']:.0f} MiB, highest after page 10: "
        f"{synced['rss_max_after_page_10_mib']:.0f} MiB, after the last: "
        f"{synced['rss_last_page_mib']:.0f} MiB)"
    )
    runs = {
        side: ", ".join(f"{r['seconds']:.1f}s" for r in rows)
        for side, rows in (("reference", references), ("sync", syncs))
    }
    print(f"  all runs: reference {runs['reference']}; sync {runs['sync']}")
    print(f"sync / reference: {ratio:.2f}× wall, {cpu_ratio:.2f}× CPU (target ≤ 1.5×)")
    print(
        f"memory: sync of {args.accounts * small_days:,} rows peak RSS "
        f"{small['peak_rss_mib']:.0f} MiB vs {args.accounts * args.days:,} rows "
        f"{synced['peak_rss_mib']:.0f} MiB ({small['seconds']:.1f}s); DuckDB runs in-process "
        "and holds the sorted result (ORDER BY) before the first page"
    )
    if postgres:
        small_pg, large_pg = postgres[small_days], postgres[args.days]
        print(
            f"memory, PostgreSQL warehouse (sorted server-side): "
            f"{args.accounts * small_days:,} rows peak RSS {small_pg['peak_rss_mib']:.0f} MiB "
            f"({small_pg['seconds']:.1f}s) vs {args.accounts * args.days:,} rows "
            f"{large_pg['peak_rss_mib']:.0f} MiB ({large_pg['seconds']:.1f}s)"
        )


if __name__ == "__main__":
    main()
