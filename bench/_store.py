"""What the store benchmarks share: the demo store they read, and how they time SQL.

The store is built the way production builds one (demo generator → contract importer
→ ``csbot score`` → ``csbot jobs run cta_rules``) in child processes, so its cost and
memory stay out of the timed process, and it is cached by file name: a second run
starts timing at once.

The reference every store benchmark prints beside its own figures is the same SELECT
statements, captured from SQLAlchemy while the real code ran, replayed on the plain
``sqlite3`` module: the database's share of the cost.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CSBOT = [sys.executable, "-c", "from bot.cli import main; main()"]

Statements = list[tuple[str, Any]]


def store_env(database: Path, workdir: Path, **extra: str) -> dict[str, str]:
    """The environment a ``csbot`` child process needs to use ``database``."""
    return {
        **os.environ,
        "CSBOT_DATABASE_URL": f"sqlite:///{database.as_posix()}",
        "CSBOT_DATA_DIR": str(workdir / "var"),
        "CSBOT_LOG_LEVEL": "WARNING",
        **extra,
    }


def build_demo_store(
    database: Path,
    *,
    workdir: Path,
    accounts: int,
    days: int,
    seed: int,
    end: date,
    score_on: Sequence[date],
    dense_usage: bool = False,
    env: dict[str, str] | None = None,
) -> Path:
    """Demo world → import → a scoring run per ``score_on`` date → CTA rules (cached).

    Built under a temporary name and renamed when complete, so an interrupted build
    is never mistaken for a finished store.
    """
    if database.exists():
        return database
    building = database.with_suffix(".building")
    building.unlink(missing_ok=True)
    code = f"""
import sys
from datetime import date
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from bot.sources.demo.generator import generate_demo
from bot.sources.demo.world import DemoConfig
from bot.sources.importer import import_folder
from bot.db.migrate import upgrade_to_head
from bot.db.session import make_engine
folder = Path({str(workdir / "contract")!r})
generate_demo(DemoConfig(end_date=date.fromisoformat({end.isoformat()!r}), accounts={accounts},
              days={days}, seed={seed}, dense_usage={dense_usage!r}), folder)
engine = make_engine("sqlite:///{building.as_posix()}")
upgrade_to_head(engine)
import_folder(folder, engine)
engine.dispose()
"""
    child_env = store_env(building, workdir, **(env or {}))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=child_env)
    for day in score_on:
        subprocess.run(
            [*CSBOT, "score", "--as-of", day.isoformat()], check=True, env=child_env, cwd=ROOT
        )
    now = f"{end.isoformat()}T12:00:00+00:00"  # CTAs, so packs and answers have work to show
    subprocess.run(
        [*CSBOT, "jobs", "run", "cta_rules", "--now", now],
        check=True,
        env=child_env,
        cwd=ROOT,
        capture_output=True,
    )
    building.replace(database)
    print(f"built store (untimed setup) in {time.perf_counter() - started:.0f}s")
    return database


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {
        "p50": statistics.median(ordered),
        "p95": ordered[max(0, int(round(0.95 * len(ordered))) - 1)],
        "max": ordered[-1],
    }


def capture_selects(engine: Any, run: Callable[[], Any]) -> tuple[Any, Statements]:
    """Run once while recording the SELECTs it sends (for the sqlite3 reference)."""
    from sqlalchemy import event

    captured: Statements = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        result = run()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return result, captured


def replay(database: Path, workloads: list[Statements]) -> list[float]:
    """Reference: the same SELECTs, run on the plain sqlite3 module (no ORM, no Python)."""
    connection = sqlite3.connect(database)
    timings = []
    for statements in workloads:
        started = time.perf_counter()
        for statement, parameters in statements:
            connection.execute(statement, parameters).fetchall()
        timings.append((time.perf_counter() - started) * 1000)
    connection.close()
    return timings
