"""The point-in-time back-test and the model-vs-health choice it makes (issue 11)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.backtest import (
    backtest_report,
    bucket_of,
    choose_risk_source,
    label_next_renewals,
    stability,
)
from scoring.config import load_health_config
from scoring.measures import derive_measures
from scoring.portfolio import score_accounts
from scoring.training import TrainingSet, rule_based_health, train_churn_model
from tests.scoring.factories import aggregate_row

CONFIG = load_health_config()


def book(count: int, seed: int, *, informative: bool) -> tuple[pd.DataFrame, np.ndarray]:
    """Accounts whose churn follows their usage slide (or, if not informative, a coin)."""
    rng = np.random.default_rng(seed)
    slide = rng.uniform(0.2, 1.2, count)
    churned = (rng.random(count) < np.clip(1.1 - slide, 0.02, 0.95)).astype(int)
    if not informative:
        churned = (rng.random(count) < 0.35).astype(int)
    rows = [
        aggregate_row(
            f"A{seed}-{index:03d}",
            active_users_sum_prev_30d=30 * 35.0,
            active_users_sum_30d=30 * 35.0 * slide[index],
            logins_sum_30d=30 * 40.0 * slide[index],
        )
        for index in range(count)
    ]
    return derive_measures(pd.DataFrame(rows)), churned


def test_a_model_worse_than_health_on_the_back_test_is_not_used():
    # Trained on outcomes that had nothing to do with the accounts' signals, the model
    # has learned noise; on the back-test, churn follows the usage slide health sees.
    noise_measures, noise_labels = book(240, seed=1, informative=False)
    dates = pd.Series(pd.date_range("2025-01-01", periods=240, freq="D"))
    fitted = train_churn_model(TrainingSet(noise_measures, pd.Series(noise_labels), dates), CONFIG)
    measures, labels = book(300, seed=2, informative=True)
    health = rule_based_health(measures, CONFIG)["health"]
    calibration = fitted.model.health_calibration
    rows = pd.DataFrame(
        {
            "account_id": measures["account_id"],
            "label": labels,
            "lead_days": np.resize([20, 60, 120, 250], len(labels)),
            "model_risk": fitted.model.model_risk(measures, CONFIG),
            "health": health,
            "health_risk": calibration.probability(health),
        }
    )
    flat = stability(rows["model_risk"], rows["model_risk"], CONFIG)
    report = backtest_report(rows, days=["2025-06-01"], model_stability=flat, health_stability=flat)
    assert report.bucket("all").model.auc < report.bucket("all").health.auc

    source, reason = choose_risk_source(report, slice_auc=(0.99, 0.5))
    assert source == "health" and "did not beat" in reason
    deployed = fitted.model.with_source(source)
    scored = score_accounts(
        pd.DataFrame([aggregate_row(a) for a in ("GOOD", "BAD")]).assign(
            active_users_sum_30d=[30 * 35.0, 30 * 8.0], logins_sum_30d=[30 * 40.0, 30 * 9.0]
        ),
        CONFIG,
        churn_model=deployed,
    ).scores.set_index("account_id")
    # churn_risk is now the calibrated health probability: lower health, higher risk.
    expected = calibration.probability(scored["health"]).round(4)
    pd.testing.assert_series_equal(scored["churn_risk"], expected, check_names=False)
    assert scored.loc["BAD", "churn_risk"] > scored.loc["GOOD", "churn_risk"]


def test_a_model_that_beats_health_on_the_back_test_is_used():
    figures = pd.DataFrame(
        {
            "account_id": [f"A{i}" for i in range(8)],
            "label": [1, 1, 0, 0, 1, 0, 0, 0],
            "lead_days": [10, 40, 100, 200, 15, 50, 150, 300],
            "model_risk": [0.9, 0.8, 0.1, 0.2, 0.7, 0.3, 0.1, 0.2],
            "health": [50, 80, 40, 60, 70, 20, 90, 30],
            "health_risk": [0.4, 0.1, 0.5, 0.3, 0.2, 0.7, 0.05, 0.6],
        }
    )
    flat = stability(figures["model_risk"], figures["model_risk"], CONFIG)
    report = backtest_report(
        figures, days=["2025-06-01"], model_stability=flat, health_stability=flat
    )
    assert [b.bucket for b in report.buckets] == ["0-30", "31-90", "91-180", "181+", "all"]
    assert report.bucket("0-30").count == 2 and report.bucket("all").model.auc == 1.0
    source, _ = choose_risk_source(report, slice_auc=(0.5, 0.9))
    assert source == "model"


def test_buckets_labels_and_day_to_day_flips():
    assert bucket_of(pd.Series([0, 30, 31, 90, 91, 180, 181, 500])).tolist() == [
        "0-30",
        "0-30",
        "31-90",
        "31-90",
        "91-180",
        "91-180",
        "181+",
        "181+",
    ]
    measures = pd.DataFrame(
        {
            "account_id": ["A", "B", "C"],
            "as_of": pd.to_datetime(["2025-06-01"] * 3),
            "contract_end_date": pd.to_datetime(["2025-07-01", "2025-12-01", "2026-03-01"]),
        }
    )
    outcomes = pd.DataFrame(
        {
            "account_id": ["A", "B", "C"],
            "end_date": pd.to_datetime(["2025-07-01", "2025-12-01", "2025-01-01"]),
            "status": ["churned", "renewed", "churned"],
        }
    )
    labelled = label_next_renewals(measures, outcomes)
    # C's known outcome is an earlier contract, not the one running on the day.
    assert labelled["label"].to_dict() == {0: 1, 1: 0}
    assert labelled["lead_days"].to_dict() == {0: 30, 1: 183}
    today = pd.Series({"A": 0.15, "B": 0.45, "C": 0.60})
    tomorrow = pd.Series({"A": 0.25, "B": 0.46, "C": 0.61})
    moved = stability(today, tomorrow, CONFIG)
    assert moved.pairs == 3 and moved.band_flip_rate == pytest.approx(1 / 3)
    assert moved.jump_rate == pytest.approx(0.0)


def _rows(labels: list[int], health: list[float], model: list[float]) -> pd.DataFrame:
    count = len(labels)
    return pd.DataFrame(
        {
            "account_id": [f"A{i:03d}" for i in range(count)],
            "label": labels,
            "lead_days": [45] * count,
            "model_risk": model,
            "health": health,
            "health_risk": [(100.0 - h) / 100.0 for h in health],
        }
    )


def _report(rows: pd.DataFrame):  # type: ignore[no-untyped-def]
    still = stability(pd.Series([0.1]), pd.Series([0.1]), CONFIG)
    return backtest_report(rows, days=["2026-06-01"], model_stability=still, health_stability=still)


def test_a_model_that_leads_only_by_noise_is_not_used():
    # Health ranks ten accounts perfectly but for one swapped pair; the model has them all.
    labels = [1, 0] * 5
    health = [10.0, 90.0, 20.0, 80.0, 30.0, 70.0, 40.0, 60.0, 55.0, 50.0]
    model = [0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.6, 0.4, 0.55, 0.45]
    report = _report(_rows(labels, health, model))
    pooled = report.bucket("all")
    assert pooled.model.auc > pooled.health.auc  # the model does lead ...
    assert report.model_win_share is not None and report.model_win_share < 0.9
    source, why = choose_risk_source(report, slice_auc=(0.9, 0.8))
    assert source == "health"  # ... but not by enough to trust on ten accounts
    assert "resamples" in why


def test_a_model_that_leads_clearly_is_used():
    rng = np.random.default_rng(3)
    labels = [int(i % 3 == 0) for i in range(90)]
    health = rng.uniform(0, 100, 90).tolist()  # health knows nothing here
    model = [0.8 if label else 0.2 for label in labels]
    report = _report(_rows(labels, health, model))
    assert report.model_win_share == 1.0
    assert choose_risk_source(report, slice_auc=(0.9, 0.8))[0] == "model"
