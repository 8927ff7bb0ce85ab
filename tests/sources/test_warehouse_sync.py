"""`csbot sync run warehouse`: product usage aggregated in a real warehouse, pulled by cursor.

Every test runs on both warehouses (a PostgreSQL schema of its own, a DuckDB file)
and the store on both backends (SQLite, PostgreSQL): raw events go into the
warehouse, the shipped ``usage_daily.example.sql`` aggregates them there, and the
expected rows are worked out in Python from the same events. Dates are fixed
(nothing depends on today).
"""

from __future__ import annotations

import csv
import json
import signal
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.db.models import SyncCursor, UsageDaily
from bot.sources.warehouse.connector import EXAMPLE_SQL
from tests.support.cli import invoke, spawn_csbot
from tests.support.score_parity import scored_rows, scored_rows_of_csv_import
from tests.support.usage_warehouse import (
    USAGE_ROWS_SQL,
    Warehouse,
    generate_events,
    usage_daily,
    warehouse,
)

KNOWN = [f"acc-{n:03d}" for n in range(11)]
UNKNOWN = "trial-001"  # usage of an account the store does not have: skipped, counted
FIRST = date(2026, 1, 1)
DAYS = [FIRST + timedelta(days=n) for n in range(60)]  # 2026-01-01 … 2026-03-01
LOOKBACK = 3
PAGE = 100


@pytest.fixture(params=["postgres", "duckdb"])
def wh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Warehouse]:
    with warehouse(str(request.param), tmp_path) as made:
        yield made


@pytest.fixture
def store(engine: Engine, wh: Warehouse, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Engine:
    """A store with the accounts (a CSV import) and csbot pointed at the warehouse."""
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CSBOT_USAGE_SQL_URL", wh.url)
    monkeypatch.setenv("CSBOT_USAGE_SQL_FILE", str(EXAMPLE_SQL))
    monkeypatch.setenv("CSBOT_USAGE_SQL_PAGE_ROWS", str(PAGE))
    monkeypatch.setenv("CSBOT_USAGE_SQL_LOOKBACK_DAYS", str(LOOKBACK))
    team = _team_folder(tmp_path / "team", KNOWN)
    imported = invoke("import", str(team))
    assert imported.exit_code == 0, imported.output
    return engine


def _team_folder(folder: Path, accounts: list[str]) -> Path:
    folder.mkdir()
    (folder / "csms.csv").write_text("csm_id,name,email\ncsm-1,Casey Lee,casey@example.com\n")
    with (folder / "accounts.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["account_id", "name", "csm_id", "arr", "licensed_seats", "status"])
        for n, account in enumerate(accounts):
            writer.writerow([account, f"Account {n}", "csm-1", 12000 + 1000 * n, 8, "active"])
    return folder


def sync(*args: str) -> dict[str, object]:
    """``csbot sync run warehouse --json``: the usage_daily run."""
    result = invoke("sync", "run", "warehouse", "--json", *args)
    assert result.exit_code == 0, result.output
    [run] = json.loads(result.stdout)
    return run  # type: ignore[no-any-return]


def stored(engine: Engine) -> dict[tuple[str, str], dict[str, object]]:
    with Session(engine) as session:
        rows = session.scalars(select(UsageDaily)).all()
        return {
            (row.account_id, row.date.isoformat()): {
                "account_id": row.account_id,
                "date": row.date.isoformat(),
                "active_users": row.active_users,
                "logins": row.logins,
                "events": row.events,
                "features_used": row.features_used,
                "session_minutes": float(row.session_minutes),
            }
            for row in rows
        }


def known(rows: dict[tuple[str, str], dict[str, object]]) -> dict[tuple[str, str], dict]:
    return {key: row for key, row in rows.items() if key[0] in KNOWN}


def cursor_row(engine: Engine) -> SyncCursor:
    with Session(engine) as session:
        row = session.get(SyncCursor, ("warehouse", "usage_daily"))
        assert row is not None
        session.expunge(row)
        return row


def count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(UsageDaily)) or 0)


def test_first_sync_fills_usage_daily_from_the_aggregating_query(store, wh):
    wh.create_events()
    events = generate_events(KNOWN + [UNKNOWN], DAYS)
    wh.add_events(events)
    expected = usage_daily(events)

    run = sync()

    assert known(expected) == stored(store)  # aggregated in the warehouse, row for row
    assert run["rows_changed"] == len(known(expected))
    assert run["skipped"] == len(expected) - len(known(expected))  # trial-001's days
    assert run["pages"] == -(-len(expected) // PAGE)
    assert run["cursor"] == DAYS[-1].isoformat()
    again = invoke("sync", "run", "warehouse", "--full").output  # what a person reads
    assert (
        f"{run['skipped']} skipped (left out by the mapping, or no account in the store)" in again
    )
    status = invoke("sync", "status", "--json")
    [row] = [r for r in json.loads(status.stdout) if r["source"] == "warehouse"]
    assert row["cursor"] == "2026-03-01" and row["last_error"] is None
    listed = json.loads(invoke("sync", "list", "--json").stdout)
    assert {"source": "warehouse", "configured": True}.items() <= next(
        r for r in listed if r["source"] == "warehouse"
    ).items()


def test_the_scheduled_job_syncs_like_the_command(store, wh):
    wh.create_events()
    events = generate_events(KNOWN, DAYS[:10])
    wh.add_events(events)

    result = invoke("jobs", "run", "sync_warehouse")

    assert result.exit_code == 0, result.output
    assert f"usage_daily: {len(usage_daily(events))}" in result.stdout
    assert stored(store) == usage_daily(events)


def test_an_increment_reads_only_the_new_days_and_the_look_back(store, wh):
    wh.create_events()
    old = generate_events(KNOWN, DAYS)
    wh.add_events(old)
    sync()
    new_days = [DAYS[-1] + timedelta(days=1), DAYS[-1] + timedelta(days=2)]
    new = generate_events(KNOWN, new_days, seed=11)
    wh.add_events(new)
    expected = usage_daily(old + new)
    since = (DAYS[-1] - timedelta(days=LOOKBACK)).isoformat()

    run = sync()

    read = [key for key in expected if key[1] >= since]
    assert run["rows_changed"] == len(read)  # only days >= cursor - look-back were pulled
    assert len(read) < len(expected) / 5
    assert run["cursor"] == new_days[-1].isoformat()
    assert stored(store) == expected


def test_late_events_for_a_synced_day_within_the_look_back_are_corrected(store, wh):
    wh.create_events()
    events = generate_events(KNOWN, DAYS)
    wh.add_events(events)
    sync()
    late_day = DAYS[-2]  # already synced, inside the 3-day look-back
    at = datetime(late_day.year, late_day.month, late_day.day, 23, 30)
    late = [
        ("acc-004", "acc-004-late", "login", None, at, None),
        ("acc-004", "acc-004-late", "click", "brand-new-feature", at, None),
        ("acc-004", "acc-004-late", "session_end", None, at, 600),
    ]
    wh.add_events(late)
    before = stored(store)[("acc-004", late_day.isoformat())]

    sync()

    after = stored(store)[("acc-004", late_day.isoformat())]
    assert after == usage_daily(events + late)[("acc-004", late_day.isoformat())]
    assert after["events"] == before["events"] + 3
    assert after["active_users"] == before["active_users"] + 1
    assert count(store) == len(usage_daily(events))  # corrected in place, no second row


def _usage_rows(accounts: list[str], days: list[date]) -> list[dict[str, object]]:
    return [
        {
            "account_id": account,
            "date": day,
            "active_users": 3,
            "logins": 2,
            "events": 40,
            "features_used": 2,
            "session_minutes": 12.5,
        }
        for day in days
        for account in accounts
    ]


def test_a_bad_row_is_located_and_nothing_of_its_page_is_written(store, wh, tmp_path, monkeypatch):
    sql = tmp_path / "usage_from_rows.sql"
    sql.write_text(USAGE_ROWS_SQL)
    monkeypatch.setenv("CSBOT_USAGE_SQL_FILE", str(sql))
    wh.create_usage_rows()
    wh.add_usage_rows(_usage_rows(KNOWN[:5], DAYS[:3]))
    sync()
    cursor_before = cursor_row(store).cursor
    fresh = _usage_rows(KNOWN[:5], [DAYS[3]])
    fresh[2]["active_users"] = "x"
    wh.add_usage_rows(fresh)

    result = invoke("sync", "run", "warehouse")

    assert result.exit_code != 0
    assert f"warehouse usage_daily acc-002/{DAYS[3].isoformat()}: active_users: 'x'" in (
        result.output
    )
    state = cursor_row(store)
    assert state.cursor == cursor_before == DAYS[2].isoformat()
    assert state.last_error.startswith("warehouse usage_daily acc-002/2026-01-04: active_users")
    assert not [key for key in stored(store) if key[1] == DAYS[3].isoformat()]


def test_an_unreachable_warehouse_is_one_line_without_the_password(store, wh, monkeypatch):
    wh.create_events()
    wh.add_events(generate_events(KNOWN, DAYS[:5]))
    sync()
    rows_before = stored(store)
    if wh.kind == "postgres":
        monkeypatch.setenv(
            "CSBOT_USAGE_SQL_URL", "postgresql+psycopg://csbot:s3cret-pw@127.0.0.1:1/warehouse"
        )
        shown = "postgresql+psycopg://csbot:***@127.0.0.1:1/warehouse"
    else:
        monkeypatch.setenv("CSBOT_USAGE_SQL_URL", wh.url.replace("warehouse.duckdb", "gone.duckdb"))
        shown = "gone.duckdb"

    result = invoke("sync", "run", "warehouse")

    assert result.exit_code != 0
    [line] = [line for line in result.output.splitlines() if "cannot connect" in line]
    assert line.startswith("warehouse: cannot connect to ") and shown in line
    assert "s3cret-pw" not in result.output
    state = cursor_row(store)
    assert state.cursor == DAYS[4].isoformat()  # unchanged
    assert "s3cret-pw" not in state.last_error and "cannot connect" in state.last_error
    assert stored(store) == rows_before


def test_a_sql_error_or_wrong_columns_name_the_file(store, wh, tmp_path, monkeypatch):
    wh.create_events()
    wh.add_events(generate_events(KNOWN, DAYS[:2]))
    broken = tmp_path / "broken_usage.sql"
    broken.write_text("SELECT account_id, date FROM no_such_table;\n")
    monkeypatch.setenv("CSBOT_USAGE_SQL_FILE", str(broken))

    result = invoke("sync", "run", "warehouse")

    assert result.exit_code != 0
    assert "warehouse: broken_usage.sql: the warehouse refused the query: " in result.output
    assert "no_such_table" in result.output.lower()

    columns = tmp_path / "wrong_columns.sql"
    columns.write_text(
        EXAMPLE_SQL.read_text()
        .replace("AS features_used", "AS feature_count")
        .replace("COUNT(*) AS events,", "COUNT(*) AS events, 1 AS plan_tier,")
    )
    monkeypatch.setenv("CSBOT_USAGE_SQL_FILE", str(columns))

    result = invoke("sync", "run", "warehouse")

    assert result.exit_code != 0
    assert (
        "warehouse usage_daily: wrong_columns.sql: returns no features_used column; "
        "returns plan_tier, feature_count, not a column of the mapping"
    ) in result.output
    assert count(store) == 0


def test_kill_9_mid_sync_then_resume_loses_nothing_and_writes_nothing_twice(
    engine, wh, tmp_path, monkeypatch
):
    accounts = [f"acc-{n:03d}" for n in range(100)]
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert invoke("import", str(_team_folder(tmp_path / "team", accounts))).exit_code == 0
    sql = tmp_path / "usage_from_rows.sql"
    sql.write_text(USAGE_ROWS_SQL)
    monkeypatch.setenv("CSBOT_USAGE_SQL_URL", wh.url)
    monkeypatch.setenv("CSBOT_USAGE_SQL_FILE", str(sql))
    monkeypatch.setenv("CSBOT_USAGE_SQL_PAGE_ROWS", str(PAGE))
    monkeypatch.setenv("CSBOT_USAGE_SQL_LOOKBACK_DAYS", str(LOOKBACK))
    wh.create_usage_rows()
    wh.fill_usage_rows(accounts=100, days=300, first=date(2025, 1, 1))  # 300 pages
    process = spawn_csbot("sync", "run", "warehouse")
    try:
        deadline = time.monotonic() + 120
        while count(engine) < 2000 and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    kept = count(engine)
    assert 2000 <= kept < 30000 and kept % PAGE == 0  # whole pages, nothing half-written
    state = cursor_row(engine)
    assert state.last_success_at is None
    position = json.loads(state.cursor)  # under way: where the last committed page ended
    assert position["since"] == "1900-01-01" and position["newest"] == "2025-10-27"
    reached = accounts.index(position["account"])
    with Session(engine) as session:
        per_account = dict(
            session.execute(
                select(UsageDaily.account_id, func.count()).group_by(UsageDaily.account_id)
            ).all()
        )
    assert set(per_account) == set(accounts[: reached + 1])  # nothing past the cursor
    assert all(per_account[account] == 300 for account in accounts[:reached])

    run = sync()

    assert run["rows_changed"] == 300 * (100 - reached)  # from that account on, only
    assert run["cursor"] == "2025-10-27"
    assert count(engine) == 30000  # nothing lost, nothing twice (one row per account and day)
    with Session(engine) as session:
        total = session.scalar(select(func.sum(UsageDaily.events)))
    assert total == sum(n % 50 + 10 for n in range(30000))
    assert sync()["rows_changed"] == 100 * (LOOKBACK + 1)  # then days >= newest - look-back


def _contract_folder(folder: Path, accounts: list[str], rows: list[dict[str, object]]) -> Path:
    """The same usage as contract CSVs, the way a team would export it by hand."""
    _team_folder(folder, accounts)
    with (folder / "usage_daily.csv").open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder


def test_synced_store_scores_like_the_same_usage_imported_as_csv(
    store, wh, db_kind, tmp_path, monkeypatch
):
    wh.create_events()
    events = generate_events(KNOWN + [UNKNOWN], DAYS, seed=3)
    wh.add_events(events)
    sync()
    synced_rows = scored_rows(tmp_path / "synced.csv", "2026-03-02")

    folder = _contract_folder(
        tmp_path / "contract", KNOWN, list(known(usage_daily(events)).values())
    )
    imported_rows = scored_rows_of_csv_import(
        folder, db_kind=db_kind, tmp_path=tmp_path, monkeypatch=monkeypatch, as_of="2026-03-02"
    )

    assert len(synced_rows) == len(KNOWN)
    assert synced_rows == imported_rows
