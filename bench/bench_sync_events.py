"""Benchmark: `csbot sync run events` from empty over two export sizes, memory against size.

Exports are daily gzip JSON-lines files (each account's events in Segment, Amplitude or
Mixpanel form, tests/support/event_exports.py), about the same events per day at both
sizes; the larger export has four times the days. Each sync runs in its own child
process (a migrated SQLite store with the accounts imported), so its peak RSS is its own.
Beside each, a reference: the same files only decompressed and ``json.loads``-ed line by
line (no aggregation, no store), the floor any reader of these files pays.

Target: peak RSS flat between the two sizes (the reader streams; a page holds the days of
about ``--lines-per-pass`` lines).

    .venv/bin/python bench/bench_sync_events.py [--events 250000,1000000] [--lines-per-pass 100000]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._process import peak_rss_mib, run_side  # noqa: E402

ACCOUNTS = [f"acct-{n:04d}" for n in range(200)]
USERS = 10


def generate(folder: Path, events: int) -> int:
    """Daily files until about ``events`` lines are written; returns the lines written."""
    from tests.support.event_exports import (
        amplitude_lines,
        mixpanel_lines,
        plan,
        segment_lines,
        write_lines,
    )

    writers = (segment_lines, amplitude_lines, mixpanel_lines)
    written, day = 0, date(2025, 1, 1)
    while written < events:
        visits = plan(ACCOUNTS, [day], users=USERS, seed=day.toordinal())
        lines = [line for visit in visits for line in writers[int(visit.account[-4:]) % 3]([visit])]
        written += write_lines(str(folder / f"{day:%Y/%m}/{day}.jsonl.gz"), lines)
        day += timedelta(days=1)
    return written


def side_sync(database: Path, folder: Path, lines_per_pass: int) -> dict[str, object]:
    from bot.db.migrate import upgrade_to_head
    from bot.db.session import make_engine
    from bot.settings import load_settings
    from bot.sources.importer import import_folder
    from bot.sources.sync.engine import run_source
    from bot.sources.sync.registry import build_connector

    os.environ["CSBOT_DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["CSBOT_EVENTS_PATH"] = str(folder)
    os.environ["CSBOT_EVENTS_LINES_PER_PASS"] = str(lines_per_pass)
    engine = make_engine(f"sqlite:///{database}")
    upgrade_to_head(engine)
    accounts = database.parent / "accounts"
    accounts.mkdir(exist_ok=True)
    (accounts / "csms.csv").write_text("csm_id,name\n")
    with (accounts / "accounts.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["account_id", "name", "status"])
        writer.writerows([a, a, "active"] for a in ACCOUNTS)
    import_folder(accounts, engine)
    started = time.perf_counter()
    runs = run_source(build_connector("events", load_settings()), engine)
    seconds = time.perf_counter() - started
    assert all(run.ok for run in runs), [run.error for run in runs]
    return {
        "rows": sum(run.rows_changed for run in runs),
        "pages": sum(run.pages for run in runs),
        "seconds": seconds,
        "peak_rss_mib": peak_rss_mib(),
    }


def side_reference(folder: Path) -> dict[str, object]:
    started, lines = time.perf_counter(), 0
    for path in sorted(folder.rglob("*.jsonl.gz")):
        with gzip.open(path, "rb") as stream:
            for line in stream:
                json.loads(line)
                lines += 1
    return {
        "lines": lines,
        "seconds": time.perf_counter() - started,
        "peak_rss_mib": peak_rss_mib(),
    }


def child(*args: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CSBOT_LOG_LEVEL": "WARNING"}
    return run_side(__file__, list(args), env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", default="250000,1000000")
    parser.add_argument("--lines-per-pass", type=int, default=100_000)
    parser.add_argument("--side", choices=["sync", "reference"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side == "sync":
        print(json.dumps(side_sync(args.db, args.folder, args.lines_per_pass)))
        return
    if args.side == "reference":
        print(json.dumps(side_reference(args.folder)))
        return
    print(f"lines per pass: {args.lines_per_pass:,}")
    for size in (int(n) for n in args.events.split(",")):
        with tempfile.TemporaryDirectory(prefix="bench-events-") as tmp:
            folder, database = Path(tmp) / "exports", Path(tmp) / "store" / "csbot.db"
            database.parent.mkdir(parents=True)
            lines = generate(folder, size)
            mib = sum(p.stat().st_size for p in folder.rglob("*.gz")) / 2**20
            days = len(list(folder.rglob("*.gz")))
            ref = child("--side", "reference", "--folder", str(folder))
            run = child(
                "--side", "sync", "--folder", str(folder), "--db", str(database),
                "--lines-per-pass", str(args.lines_per_pass),
            )  # fmt: skip
            print(
                f"{lines:>9,} events, {days} daily files ({mib:.1f} MiB gz): "
                f"sync {run['seconds']:.1f}s = {lines / run['seconds']:,.0f} events/s, "
                f"{run['rows']:,} usage rows in {run['pages']} pages, "
                f"peak RSS {run['peak_rss_mib']:.0f} MiB | reference (gunzip + json.loads) "
                f"{ref['seconds']:.1f}s = {lines / ref['seconds']:,.0f} lines/s, "
                f"peak RSS {ref['peak_rss_mib']:.0f} MiB; ratio {run['seconds'] / ref['seconds']:.1f}×"
            )


if __name__ == "__main__":
    main()
