"""Acceptance: ``churn_risk`` as scored on a normal day ranks next-renewal churners at
least as well as the health score beside it (issue 11).

A small demo book is generated and imported; the model is trained with only the
outcomes before day T, the book is scored ``--as-of T`` through the real CLI, and each
account's score is compared with what happened at the renewal running on T (known from
the demo's own contract file, which the model never saw past T). Two seeds.
"""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from scoring.evaluation import roc_auc
from tests.support.cli import invoke

DEMO_END = date(2026, 11, 21)
SCORED_ON = DEMO_END - timedelta(days=120)  # "today": the next 120 days of renewals are known


def next_renewal_outcomes(contracts_csv, day: date) -> pd.Series:
    """1 churned / 0 renewed for the contract running on ``day``, by account."""
    contracts = pd.read_csv(contracts_csv, parse_dates=["start_date", "end_date"])
    running = contracts[
        (contracts["start_date"] < pd.Timestamp(day))
        & (contracts["end_date"] >= pd.Timestamp(day))
        & contracts["status"].isin(["renewed", "churned"])
    ]
    return (running.set_index("account_id")["status"] == "churned").astype(int)


@pytest.mark.parametrize("seed", [42, 7])
def test_churn_risk_scored_today_ranks_next_renewal_churners_at_least_as_well_as_health(
    seed, tmp_path, monkeypatch
):
    monkeypatch.setenv("CSBOT_DATA_DIR", str(tmp_path / "var"))
    made = invoke(
        "demo", "--accounts", "300", "--seed", str(seed), "--end-date", DEMO_END.isoformat()
    )
    assert made.exit_code == 0, made.output
    trained = invoke("model", "train", "--as-of", SCORED_ON.isoformat())
    assert trained.exit_code == 0, trained.output
    scored = invoke("score", "--as-of", SCORED_ON.isoformat(), "--out", str(tmp_path / "s.csv"))
    assert scored.exit_code == 0, scored.output

    with open(tmp_path / "s.csv", newline="", encoding="utf-8") as handle:
        rows = pd.DataFrame(list(csv.DictReader(handle))).set_index("account_id")
    outcomes = next_renewal_outcomes(tmp_path / "var" / "demo" / "contracts.csv", SCORED_ON)
    known = rows.join(outcomes.rename("churned"), how="inner")
    assert len(known) >= 60 and 5 <= known["churned"].sum() < len(known)
    labels = known["churned"].to_numpy(dtype=int)
    risk_auc = roc_auc(labels, known["churn_risk"].astype(float).to_numpy())
    health_auc = roc_auc(labels, 100.0 - known["health"].astype(float).to_numpy())
    assert risk_auc >= health_auc - 0.005, (risk_auc, health_auc)

    # The report says where churn_risk came from, beside the back-test that decided it.
    report = json.loads(invoke("model", "report", "--json").stdout)
    source = report["risk_source"]
    assert source in {"model", "health"} and report["backtest"]["buckets"]
    printed = invoke("model", "report").stdout
    assert "Point-in-time back-test" in printed
    assert ("from the churn model" if source == "model" else "calibrated health score") in printed
    assert np.isfinite(risk_auc)
