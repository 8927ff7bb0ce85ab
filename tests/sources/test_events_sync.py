"""`csbot sync run events`: Segment, Amplitude and Mixpanel exports → usage_daily.

Exports are written by tests/support/event_exports.py from a usage plan, and every
expectation is the plan's own arithmetic (never csbot's aggregation). Stores on SQLite and
PostgreSQL (``db_kind``); accounts come from a contract CSV import, as a team's would.
Nothing here depends on today's date.
"""

from __future__ import annotations

import csv
import gzip
import json
import signal
import time
from datetime import date, timedelta
from pathlib import Path

import fsspec
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.db.models import SyncCursor, UsageDaily
from tests.support.cli import invoke, spawn_csbot
from tests.support.databases import database_url, migrated_engine
from tests.support.event_exports import (
    Visit,
    amplitude_lines,
    by_day,
    expected_rows,
    mixpanel_lines,
    plan,
    segment_lines,
    write_lines,
)
from tests.support.score_parity import scored_rows, scored_rows_of_csv_import

ACCOUNTS = [f"acct-{n:03d}" for n in range(1, 13)]
START = date(2026, 1, 5)
DAYS = [START + timedelta(days=n) for n in range(6)]


def write_contract_accounts(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "csms.csv").write_text("csm_id,name,email\ncsm-1,Ana CSM,ana@example.com\n")
    with (folder / "accounts.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["account_id", "name", "domain", "status", "csm_id", "arr"])
        for n, account in enumerate(ACCOUNTS):
            writer.writerow(
                [account, f"Account {n}", f"{account}.example.com", "active"]
                + ["csm-1", 10000 + 1000 * n]
            )
    return folder


@pytest.fixture
def store(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Engine:
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    imported = invoke("import", str(write_contract_accounts(tmp_path / "accounts")))
    assert imported.exit_code == 0, imported.output
    return engine


@pytest.fixture
def exports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    monkeypatch.setenv("CSBOT_EVENTS_PATH", str(folder))
    return folder


def sync(*args: str) -> dict[str, object]:
    """``csbot sync run events --json``: the usage object's run."""
    result = invoke("sync", "run", "events", "--json", *args)
    assert result.exit_code == 0, result.output
    (run,) = json.loads(result.stdout)
    return run


def usage(engine: Engine) -> dict[tuple[str, str], dict[str, object]]:
    with Session(engine) as session:
        return {
            (u.account_id, u.date.isoformat()): {
                "active_users": u.active_users,
                "logins": u.logins,
                "events": u.events,
                "features_used": u.features_used,
                "session_minutes": u.session_minutes,
            }
            for u in session.scalars(select(UsageDaily))
        }


def stored_cursor(engine: Engine) -> str | None:
    with Session(engine) as session:
        row = session.get(SyncCursor, ("events", "usage"))
        return None if row is None else row.cursor


def count_usage(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(UsageDaily)) or 0)


def the_plan(days: list[date] = DAYS, seed: int = 13) -> list[Visit]:
    return plan(ACCOUNTS, days, seed=seed)


# --- each format from empty --------------------------------------------------------------
def test_segment_track_and_group_calls_from_empty(store, exports):
    visits = the_plan()
    half = len(ACCOUNTS) // 2
    # Half the accounts carry context.groupId on each call, half only a group call per user.
    inline = [v for v in visits if v.account in ACCOUNTS[:half]]
    grouped = [v for v in visits if v.account in ACCOUNTS[half:]]
    write_lines(str(exports / "segment-inline.jsonl"), segment_lines(inline))
    write_lines(str(exports / "segment-grouped.ndjson"), segment_lines(grouped, group_calls=True))

    run = sync()

    assert run["ok"] and run["skipped"] == 0
    assert usage(store) == expected_rows(visits)
    assert run["rows_changed"] == len(expected_rows(visits))


def test_amplitude_export_lines_gzipped_from_empty(store, exports):
    visits = the_plan()
    for day, day_visits in by_day(visits).items():
        write_lines(str(exports / f"amplitude/{day}/part-0.json.gz"), amplitude_lines(day_visits))
    with gzip.open(next(exports.rglob("*.json.gz")), "rt") as one:
        assert json.loads(one.readline())["event_time"].count(":") == 2  # it is gzip

    sync()

    assert usage(store) == expected_rows(visits)


def test_mixpanel_export_lines_from_a_memory_fsspec_path(store, monkeypatch):
    visits = the_plan()
    root = "memory://csbot-tests/mixpanel-from-empty"
    for day, day_visits in by_day(visits).items():
        write_lines(f"{root}/{day}.jsonl", mixpanel_lines(day_visits))
    monkeypatch.setenv("CSBOT_EVENTS_PATH", root)
    try:
        sync()
    finally:
        fsspec.filesystem("memory").rm("/csbot-tests/mixpanel-from-empty", recursive=True)

    assert usage(store) == expected_rows(visits)


def test_one_folder_may_mix_the_three_formats(store, exports):
    visits = the_plan()
    write_lines(str(exports / "mixed.jsonl"), _mixed(visits))

    sync()

    assert usage(store) == expected_rows(visits)


# --- increments: whole days, whatever file they arrive in -----------------------------------
def test_a_new_file_adds_its_days_and_a_rerun_reads_nothing(store, exports):
    visits = the_plan()
    days = by_day(visits)
    first, later = list(days)[:3], list(days)[3:]
    for day in first:
        write_lines(str(exports / f"{day}.jsonl"), segment_lines(days[day]))
    sync()
    assert set(d for _, d in usage(store)) == set(first)

    for day in later:
        write_lines(str(exports / f"{day}.jsonl"), segment_lines(days[day]))
    run = sync()

    assert usage(store) == expected_rows(visits)
    assert run["rows_changed"] == len({(v.account, v.day) for v in visits if v.day in later})
    again = sync()
    assert again["pages"] == 0 and again["rows_changed"] == 0


def test_a_day_split_over_files_and_late_events_equal_one_pass(
    store, exports, db_kind, tmp_path, monkeypatch
):
    visits = the_plan()
    days = by_day(visits)
    day1, day2, day3 = list(days)[:3]
    # Day 1 arrives in two hourly files, the second one synced in a later run, and day 2's
    # late events come inside day 3's file (a late-arriving batch).
    early = [v for v in days[day1] if v.start.hour < 12]
    noon = [v for v in days[day1] if v.start.hour >= 12]
    on_time, late = days[day2][::2], days[day2][1::2]
    write_lines(str(exports / f"{day1}-h00.jsonl"), amplitude_lines(early))
    write_lines(str(exports / f"{day2}.jsonl"), amplitude_lines(on_time))
    sync()
    partial = usage(store)
    assert partial == expected_rows(early + on_time)

    write_lines(str(exports / f"{day1}-h12.jsonl"), amplitude_lines(noon))
    write_lines(str(exports / f"{day3}.jsonl"), amplitude_lines(days[day3] + late))
    run = sync()

    everything = days[day1] + days[day2] + days[day3]
    assert usage(store) == expected_rows(everything)
    # Only the days the new files touch were re-done, each from all files holding it.
    assert run["rows_changed"] == len(expected_rows(everything))

    # The same files in one pass into a fresh store give the same rows.
    other = tmp_path / "one-pass"
    other.mkdir()
    with database_url(db_kind, other) as url, migrated_engine(url) as fresh:
        monkeypatch.setenv("CSBOT_DATABASE_URL", url)
        assert invoke("import", str(write_contract_accounts(other / "accounts"))).exit_code == 0
        sync()
        assert usage(fresh) == usage(store)


def test_a_late_group_call_attributes_the_days_its_user_was_seen_on(store, exports):
    visits = [v for v in the_plan() if v.account == ACCOUNTS[0]]
    days = by_day(visits)
    day1, day2 = list(days)[:2]
    tracks_only = [
        line for line in segment_lines(days[day1], group_calls=True) if line["type"] != "group"
    ]
    write_lines(str(exports / f"{day1}.jsonl"), tracks_only)
    first = sync()
    assert usage(store) == {} and first["skipped"] == len(tracks_only)  # no group yet: counted

    # Day 2's file carries the users' group calls: day 1 is re-aggregated with them.
    write_lines(
        str(exports / f"{day2}.jsonl"), segment_lines(days[day1] + days[day2], group_calls=True)
    )
    sync()

    assert usage(store) == expected_rows(days[day1] + days[day2])


def _mixed(visits: list[Visit]) -> list[dict]:
    """Each account's visits in one format: Segment, Amplitude or Mixpanel by account."""
    writers = (segment_lines, amplitude_lines, mixpanel_lines)
    return [line for v in visits for line in writers[ACCOUNTS.index(v.account) % 3]([v])]


def test_page_calls_are_activity_and_a_user_who_moves_company_moves_their_days(store, exports):
    a, b = ACCOUNTS[0], ACCOUNTS[1]

    def call(kind: str, user: str, at: str, **extra: object) -> dict:
        return {"type": kind, "userId": user, "timestamp": f"2026-01-05T{at}Z", **extra}

    write_lines(
        str(exports / "1.jsonl"),
        [
            call("identify", "mia", "08:00:00", context={"groupId": a}, traits={}),
            call("group", "leo", "08:00:00", groupId=a),
            call("track", "mia", "09:00:00", event="Report Built", messageId="m1"),
            call("track", "leo", "09:00:00", event="Signed In", messageId="m2"),
            call("page", "leo", "09:10:00", name="Home", messageId="m3"),
        ],
    )
    sync()
    assert usage(store)[(a, "2026-01-05")] == {
        "active_users": 2,
        "logins": 1,
        "events": 2,  # the page call is activity (a user, a session), not an event
        "features_used": 1,
        "session_minutes": 10.0,
    }

    # Leo moves to another company (a later group call): his day goes with him.
    write_lines(str(exports / "2.jsonl"), [call("group", "leo", "18:00:00", groupId=b)])
    sync()
    moved = usage(store)
    assert moved[(a, "2026-01-05")]["active_users"] == 1
    assert moved[(b, "2026-01-05")] == {
        "active_users": 1,
        "logins": 1,
        "events": 1,
        "features_used": 0,
        "session_minutes": 10.0,
    }


def test_duplicated_events_count_once_across_files_and_runs(store, exports):
    visits = the_plan(days=DAYS[:2])
    days = by_day(visits)
    day1, day2 = list(days)
    write_lines(str(exports / "a.jsonl"), _mixed(days[day1]))
    write_lines(str(exports / "b.jsonl"), _mixed(days[day1]))  # re-delivered: same ids
    sync()
    assert usage(store) == expected_rows(days[day1])

    # A later file re-sends day 1 beside day 2: day 1 is re-done and still counts once.
    write_lines(str(exports / "c.jsonl"), _mixed(days[day1] + days[day2]))
    sync()
    assert usage(store) == expected_rows(days[day1] + days[day2])


# --- bad input ------------------------------------------------------------------------------
def test_a_malformed_line_is_located_and_nothing_of_its_batch_is_written(store, exports):
    visits = the_plan()
    days = by_day(visits)
    day1, day2, day3 = list(days)[:3]
    write_lines(str(exports / f"{day1}.jsonl"), mixpanel_lines(days[day1]))
    sync()
    before_rows, before_cursor = usage(store), stored_cursor(store)

    write_lines(str(exports / f"{day2}.jsonl"), mixpanel_lines(days[day2]))  # a good new file
    lines = [json.dumps(line) for line in mixpanel_lines(days[day3])]
    lines[2] = lines[2][:-5]  # cut short
    lines[4] = json.dumps(
        {"event": "Report Built", "properties": {"time": "soon", "distinct_id": "x"}}
    )
    (exports / f"{day3}.jsonl").write_text("\n".join(lines) + "\n")

    result = invoke("sync", "run", "events")

    assert result.exit_code != 0
    assert f"events {day3}.jsonl:3: not JSON" in result.output
    assert f"events {day3}.jsonl:5: properties.time: 'soon': not an epoch time" in result.output
    assert usage(store) == before_rows and stored_cursor(store) == before_cursor


def test_a_missing_path_is_a_clear_error(store, tmp_path, monkeypatch):
    monkeypatch.setenv("CSBOT_EVENTS_PATH", str(tmp_path / "nowhere"))

    result = invoke("sync", "run", "events")

    assert result.exit_code != 0
    assert (
        "events: CSBOT_EVENTS_PATH" in result.output and "no such file or folder" in result.output
    )


def test_a_truncated_gzip_file_is_located_and_nothing_is_written(store, exports):
    visits = the_plan(days=DAYS[:1])
    whole = exports / "whole.jsonl.gz"
    write_lines(str(whole), amplitude_lines(visits))
    (exports / "cut.jsonl.gz").write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

    result = invoke("sync", "run", "events")

    assert result.exit_code != 0
    assert "events cut.jsonl.gz:" in result.output and "cannot read the file" in result.output
    assert count_usage(store) == 0 and stored_cursor(store) is None


def test_events_of_unknown_companies_are_counted_not_errors(store, exports):
    visits = the_plan(days=DAYS[:2])
    strangers = [Visit("acct-999", f"s{n}", v.start, v.features) for n, v in enumerate(visits[:5])]
    write_lines(str(exports / "a.jsonl"), mixpanel_lines(visits + strangers))

    run = sync()

    assert run["ok"] and run["skipped"] == sum(len(v.moments()) for v in strangers)
    assert usage(store) == expected_rows(visits)


def test_a_company_found_by_domain_or_value_map(store, exports, tmp_path, monkeypatch):
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "events.yaml").write_text(
        "source: events\nformat: mixpanel\naccount:\n  mixpanel_properties: [$group_id]\n"
        "  lookup: domain\n  values: {legacy-7: acct-007}\n"
    )
    monkeypatch.setenv("CSBOT_SYNC_MAPPING_DIR", str(mappings))
    visits = [v for v in the_plan(days=DAYS[:2]) if v.account in ("acct-001", "acct-007")]
    company = {"acct-001": "ACCT-001.example.com", "acct-007": "legacy-7"}
    lines = list(mixpanel_lines(visits, company_property="$group_id"))
    for line in lines:
        line["properties"]["$group_id"] = company[line["properties"]["$group_id"]]
    write_lines(str(exports / "a.jsonl"), lines)

    sync()

    assert usage(store) == expected_rows(visits)


def test_a_bad_mapping_is_refused_located(store, exports, tmp_path, monkeypatch):
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "events.yaml").write_text("format: csv\naccount: {lookup: email}\n")
    monkeypatch.setenv("CSBOT_SYNC_MAPPING_DIR", str(mappings))

    result = invoke("sync", "run", "events")

    assert result.exit_code == 2
    assert (
        "events.yaml: format: 'csv': expected one of auto, segment, amplitude, mixpanel"
        in result.output
    )
    assert (
        "events.yaml: account.lookup: 'email': expected one of account_id, domain" in result.output
    )


# --- crash and resume -----------------------------------------------------------------------
def test_kill_9_mid_sync_then_resume_gives_the_one_pass_rows(store, exports, monkeypatch):
    days = [START + timedelta(days=n) for n in range(30)]
    visits = plan(ACCOUNTS, days, users=6, seed=5)
    # One monthly file touching every day, re-aggregated a day per page: a slow run with
    # many committed pages to kill it in the middle of.
    write_lines(str(exports / "2026-01.jsonl"), amplitude_lines(visits))
    monkeypatch.setenv("CSBOT_EVENTS_LINES_PER_PASS", "1")
    process = spawn_csbot("sync", "run", "events")
    try:
        deadline = time.monotonic() + 120
        while count_usage(store) == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    written = count_usage(store)
    expected = expected_rows(visits)
    assert 0 < written < len(expected)  # whole days only, the batch unfinished
    assert stored_cursor(store) is None  # the batch's cursor comes with its last page

    run = sync()

    assert run["ok"]
    assert usage(store) == expected
    assert sync()["pages"] == 0


# --- acceptance: the synced store scores like the same usage imported as CSV ------------------
def test_synced_store_scores_like_the_same_usage_imported_as_csv(
    store, exports, db_kind, tmp_path, monkeypatch
):
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(60)]
    visits = plan(ACCOUNTS, days, users=5, seed=21)
    writers = (segment_lines, amplitude_lines, mixpanel_lines)
    for day, day_visits in by_day(visits).items():
        for n, writer in enumerate(writers):
            mine = [v for v in day_visits if ACCOUNTS.index(v.account) % 3 == n]
            suffix = ".jsonl.gz" if n == 1 else ".jsonl"
            write_lines(str(exports / f"{day[:7]}/{day}/{writer.__name__}{suffix}"), writer(mine))
    sync()
    synced_rows = scored_rows(tmp_path / "synced.csv", "2026-03-02")

    folder = write_contract_accounts(tmp_path / "contract")
    with (folder / "usage_daily.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        columns = ["active_users", "logins", "events", "features_used", "session_minutes"]
        writer.writerow(["account_id", "date", *columns])
        for (account, day), row in sorted(expected_rows(visits).items()):
            writer.writerow([account, day, *(row[c] for c in columns)])
    imported_rows = scored_rows_of_csv_import(
        folder, db_kind=db_kind, tmp_path=tmp_path, monkeypatch=monkeypatch, as_of="2026-03-02"
    )

    assert len(synced_rows) == len(ACCOUNTS)
    assert synced_rows == imported_rows
