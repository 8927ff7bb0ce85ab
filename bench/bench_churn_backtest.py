"""Benchmark: churn risk judged the way it is used (issue 11), on the demo and RavenStack.

For each data set, through the real CLI in this process: load the book (``csbot demo``
at several seeds, or the RavenStack tables converted by ``bench/ravenstack.py`` and
loaded with ``csbot import``), ``csbot model train --as-of T`` (outcomes before T only),
then print from ``csbot model report --json`` the point-in-time back-test AUC of the
model and of the rule-based health by lead-time bucket, the day-to-day band flip rate,
and which source ``churn_risk`` uses. Last, ``csbot score --as-of T`` and compare
``churn_risk`` as scored on T, and ``100 - health``, with what happened at each account's
next renewal after T (the acceptance: churn_risk at least as good as health).

    .venv/bin/python bench/bench_churn_backtest.py [--seeds 42 7 1] [--accounts 400]
        [--no-demo] [--no-ravenstack] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ravenstack import build_contract_folder  # noqa: E402
from scoring.evaluation import roc_auc  # noqa: E402

DEMO_END = date(2026, 11, 21)
LOOKAHEAD_DAYS = 120  # "today" = last day - 120: the next 120 days of renewals are known


def invoke(*args: str) -> Any:
    """``csbot ARGS`` in process, settings re-read (as tests/support/cli.py does)."""
    from typer.testing import CliRunner

    from bot.cli import app
    from bot.cli.context import cli_services, cli_settings

    cli_settings.cache_clear()
    cli_services.cache_clear()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        result = CliRunner().invoke(app, list(args))
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    if result.exit_code != 0:
        raise SystemExit(f"csbot {' '.join(args)} failed:\n{result.output}")
    return result


def use_store(workdir: Path) -> None:
    """A fresh SQLite store and data dir for one run."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    os.environ["CSBOT_DATA_DIR"] = str(workdir / "var")
    os.environ["CSBOT_DATABASE_URL"] = f"sqlite:///{(workdir / 'csbot.db').as_posix()}"
    os.environ["CSBOT_LOG_LEVEL"] = "WARNING"


def next_renewal_outcomes(contracts_csv: Path, day: date) -> pd.Series:
    """1 churned / 0 renewed for the contract running on ``day``, by account."""
    contracts = pd.read_csv(contracts_csv, parse_dates=["start_date", "end_date"])
    running = contracts[
        (contracts["start_date"] < pd.Timestamp(day))
        & (contracts["end_date"] >= pd.Timestamp(day))
        & contracts["status"].isin(["renewed", "churned"])
    ]
    return (running.set_index("account_id")["status"] == "churned").astype(int)


def evaluate(name: str, workdir: Path, contracts_csv: Path, scored_on: date) -> dict[str, Any]:
    """Train as of ``scored_on``, print the back-test table and the scored-today AUCs."""
    started = time.perf_counter()
    invoke("model", "train", "--as-of", scored_on.isoformat())
    report = json.loads(invoke("model", "report", "--json").stdout)
    out = workdir / "scores.csv"
    invoke("score", "--as-of", scored_on.isoformat(), "--out", str(out))
    scores = pd.read_csv(out, dtype={"account_id": str}).set_index("account_id")
    known = scores.join(next_renewal_outcomes(contracts_csv, scored_on).rename("y"), how="inner")
    labels = known["y"].to_numpy(dtype=int)
    risk_auc = roc_auc(labels, known["churn_risk"].astype(float).to_numpy())
    health_auc = roc_auc(labels, 100.0 - known["health"].astype(float).to_numpy())

    backtest = report["backtest"]
    print(
        f"\n== {name}: trained and scored as of {scored_on} ({time.perf_counter() - started:.0f}s)"
    )
    if backtest:
        days = backtest["days"]
        print(f"back-test: {len(days)} days {days[0]} .. {days[-1]}")
        print(
            f"  {'lead days':<9} {'n (churned)':>13} {'accounts':>8}  {'AUC model':>9} {'rules':>6}"
        )
        for row in backtest["buckets"]:
            print(
                f"  {row['bucket']:<9} {row['count']:>6} ({row['churned']:>4}) {row['accounts']:>8}"
                f"  {_f(row['model']['auc']):>9} {_f(row['health']['auc']):>6}"
            )
        flips = (
            backtest["model_stability"]["band_flip_rate"],
            backtest["health_stability"]["band_flip_rate"],
        )
        print(f"  band flip rate day to day: model {_pct(flips[0])}, health {_pct(flips[1])}")
    else:
        print("back-test: none (no labelled day)")
    print(
        f"test slice AUC: model {_f(report['model_test']['auc'])} "
        f"({report['chosen']}), rules {_f(report['rule_test']['auc'])}"
    )
    print(f"churn_risk source: {report['risk_source']} ({report['risk_source_reason']})")
    holds = risk_auc >= health_auc - 0.005
    print(
        f"scored on {scored_on}, vs next renewal ({len(known)} accounts, {labels.sum()} churned): "
        f"AUC churn_risk {_f(risk_auc)} vs health {_f(health_auc)} -> "
        f"{'holds' if holds else 'DOES NOT HOLD'} (churn_risk >= health - 0.005)"
    )
    return {"name": name, "risk_auc": risk_auc, "health_auc": health_auc, "holds": holds}


def _f(value: float | None) -> str:
    return "n/a" if value is None or value != value else f"{value:.3f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None or value != value else f"{value:.1%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 7, 1])
    parser.add_argument("--accounts", type=int, default=400)
    parser.add_argument("--no-demo", action="store_true")
    parser.add_argument("--no-ravenstack", action="store_true")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/csbot-bench-churn"))
    args = parser.parse_args()
    results = []
    if not args.no_demo:
        scored_on = DEMO_END - timedelta(days=LOOKAHEAD_DAYS)
        for seed in args.seeds:
            workdir = args.workdir / f"demo_s{seed}"
            use_store(workdir)
            invoke(
                "demo",
                "--accounts",
                str(args.accounts),
                "--seed",
                str(seed),
                "--end-date",
                DEMO_END.isoformat(),
            )
            contracts = workdir / "var" / "demo" / "contracts.csv"
            results.append(
                evaluate(
                    f"demo seed {seed}, {args.accounts} accounts", workdir, contracts, scored_on
                )
            )
    if not args.no_ravenstack:
        workdir = args.workdir / "ravenstack"
        use_store(workdir)
        converted = build_contract_folder(workdir / "contract")
        rows = ", ".join(f"{table} {count}" for table, count in converted.rows.items())
        print(f"\nRavenStack contract folder ({rows}); last day {converted.last_day}")
        invoke("import", str(converted.folder))
        scored_on = converted.last_day - timedelta(days=LOOKAHEAD_DAYS)
        results.append(
            evaluate("RavenStack", workdir, converted.folder / "contracts.csv", scored_on)
        )
    print("\nsummary: churn_risk as scored vs health, next-renewal AUC")
    for result in results:
        print(
            f"  {result['name']:<32} {_f(result['risk_auc'])} vs {_f(result['health_auc'])}"
            f"  {'holds' if result['holds'] else 'DOES NOT HOLD'}"
        )


if __name__ == "__main__":
    main()
