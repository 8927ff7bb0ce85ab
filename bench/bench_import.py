"""Benchmark: import 20,000 accounts × 180 days of usage (3.6 M rows) on SQLite.

The folder is the demo generator's (every contract file, a usage row for every
account and day). Prints rows/s and peak RSS of `csbot import`'s code path, beside a
reference bulk load of the same CSVs by the sqlite3 module's executemany into plain tables, in the same
run. Each side runs in its own child process so its peak RSS is its own.

    .venv/bin/python bench/bench_import.py [--accounts 20000] [--days 180]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path


def write_contract_folder(folder: Path, accounts: int, days: int, seed: int = 7) -> int:
    """The demo generator's full contract folder, with a usage row for every account-day."""
    from bot.sources.demo import DemoConfig, generate_demo

    config = DemoConfig(
        end_date=date(2026, 6, 30), accounts=accounts, days=days, seed=seed, dense_usage=True
    )
    summary = generate_demo(config, folder)
    return int(summary.rows["usage_daily"])


def run_csbot_import(folder: Path, database: Path) -> dict[str, float]:
    from bot.db.migrate import upgrade_to_head
    from bot.db.session import make_engine
    from bot.sources.importer import import_folder

    engine = make_engine(f"sqlite:///{database}")
    upgrade_to_head(engine)
    started = time.perf_counter()
    report = import_folder(folder, engine, actor="bench")
    seconds = time.perf_counter() - started
    return {"rows": report.total_rows, "seconds": seconds}


def run_reference(folder: Path, database: Path) -> dict[str, float]:
    """sqlite3 executemany of the same CSVs into plain tables (no keys, no checks)."""
    import sqlite3

    started = time.perf_counter()
    connection = sqlite3.connect(database)
    rows = 0
    for path in sorted(folder.glob("*.csv")):
        name = path.stem
        with path.open(newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            connection.execute(f"CREATE TABLE {name} ({', '.join(header)})")
            sql = f"INSERT INTO {name} VALUES ({', '.join('?' * len(header))})"
            while batch := [row for _, row in zip(range(100_000), reader, strict=False)]:
                connection.executemany(sql, batch)
                rows += len(batch)
    connection.commit()
    connection.close()
    return {"rows": rows, "seconds": time.perf_counter() - started}


def peak_rss_mib() -> float:
    """This process's own high-water RSS (VmHWM; ru_maxrss would inherit the parent's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, folder: str, database: str) -> None:
    runner = run_csbot_import if kind == "csbot" else run_reference
    result = runner(Path(folder), Path(database))
    result["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--child", nargs=3, metavar=("KIND", "FOLDER", "DB"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "contract"
        started = time.perf_counter()
        usage_rows = write_contract_folder(folder, args.accounts, args.days)
        print(f"wrote {usage_rows:,} usage rows in {time.perf_counter() - started:.1f}s")
        results = {}
        for kind in ("reference", "csbot"):
            output = (
                subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        kind,
                        str(folder),
                        str(Path(tmp) / f"{kind}.db"),
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            results[kind] = json.loads(output)
        for kind, result in results.items():
            rate = result["rows"] / result["seconds"]
            print(
                f"{kind:>9}: {result['rows']:,} rows in {result['seconds']:.1f}s = {rate:,.0f} rows/s,"
                f" peak RSS {result['peak_rss_mib']:.0f} MiB"
            )
        ratio = results["csbot"]["seconds"] / results["reference"]["seconds"]
        print(
            f"csbot import / reference = {ratio:.2f}x (target ≤ 3x); "
            f"peak RSS {results['csbot']['peak_rss_mib']:.0f} MiB (target < 1024 MiB)"
        )


if __name__ == "__main__":
    main()
