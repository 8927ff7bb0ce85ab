"""Churn model training: time-ordered honesty, calibration, artifacts with metadata."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from scoring.artifacts import ModelArtifactError, load_churn_model, save_churn_model
from scoring.config import load_health_config
from scoring.evaluation import precision_at_top, risk_metrics
from scoring.measures import derive_measures
from scoring.training import InsufficientHistory, TrainingSet, train_churn_model
from tests.scoring.factories import aggregate_row

CONFIG = load_health_config()


def synthetic_history(count: int = 240, seed: int = 3) -> TrainingSet:
    """Outcomes over two years; churners' usage and NPS are worse, with overlap."""
    rng = np.random.default_rng(seed)
    churned = rng.random(count) < 0.3
    rows = []
    for index in range(count):
        slide = rng.uniform(0.3, 0.8) if churned[index] else rng.uniform(0.85, 1.15)
        users_before = rng.uniform(20, 45)
        rows.append(
            aggregate_row(
                f"A{index:03d}",
                active_users_sum_prev_30d=30 * users_before,
                active_users_sum_30d=30 * users_before * slide,
                nps_latest=float(
                    rng.integers(0, 7)
                    if churned[index] and rng.random() < 0.6
                    else rng.integers(6, 11)
                ),
                failed_invoices_180d=float(rng.random() < (0.4 if churned[index] else 0.05)),
            )
        )
    dates = pd.Series(pd.date_range("2023-01-01", periods=count, freq="3D"))
    return TrainingSet(derive_measures(pd.DataFrame(rows)), pd.Series(churned.astype(int)), dates)


def test_report_comes_from_the_newest_outcomes_only_and_matches_the_saved_model():
    history = synthetic_history()
    result = train_churn_model(history, CONFIG)
    report = result.report
    train, calib, test = report.splits
    assert (train.name, calib.name, test.name) == ("train", "calibration", "test")
    assert train.last_outcome <= calib.first_outcome <= calib.last_outcome <= test.first_outcome
    assert train.count + calib.count + test.count == 240
    assert test.count == int(np.ceil(240 * CONFIG.churn_model.test_fraction))

    # Recompute the held-out figures from the deployed model on the newest rows.
    newest = history.outcome_dates.sort_values(kind="stable").index[-test.count :]
    probabilities = result.model.predict_risk(history.measures.loc[newest], CONFIG).to_numpy()
    labels = history.labels.loc[newest].to_numpy()
    again = risk_metrics(labels, probabilities, threshold=report.model_test.threshold)
    assert again.auc == pytest.approx(report.model_test.auc, abs=1e-3)
    assert again.brier == pytest.approx(report.model_test.brier, abs=1e-3)
    assert report.model_test.auc > 0.8 and report.rule_test.auc > 0.7
    assert {c.name for c in report.candidates} == {"logistic_regression", "gradient_boosting"}
    assert report.chosen in {"logistic_regression", "gradient_boosting"}
    assert sum(report.proposed_weights.values()) == pytest.approx(100, abs=2)
    assert sum(b.count for b in report.model_test.calibration) == test.count
    json.dumps(report.to_dict())  # the report is stored as JSON


def test_calibrated_probabilities_track_observed_churn():
    result = train_churn_model(synthetic_history(count=600, seed=11), CONFIG)
    bins = [b for b in result.report.model_test.calibration if b.count >= 15]
    assert bins
    for row in bins:
        assert abs(row.mean_predicted - row.observed_rate) < 0.25


def test_too_few_outcomes_or_one_class_refuses_to_train():
    small = synthetic_history(count=20)
    with pytest.raises(InsufficientHistory, match="only 20 past renewal outcomes"):
        train_churn_model(small, CONFIG)
    history = synthetic_history()
    no_churn = TrainingSet(history.measures, history.labels * 0, history.outcome_dates)
    with pytest.raises(InsufficientHistory, match="only renewed outcomes"):
        train_churn_model(no_churn, CONFIG)


def test_precision_at_top_counts_the_riskiest_tenth():
    labels = np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    risk = np.linspace(1, 0, 10)
    assert precision_at_top(labels, risk) == 1.0
    assert precision_at_top(labels, -risk) == 1.0
    assert precision_at_top(np.array([0, 1] * 10), np.arange(20.0)) == 0.5


def test_artifact_round_trip_keeps_metadata_and_refuses_other_versions(tmp_path):
    history = synthetic_history()
    result = train_churn_model(history, CONFIG)
    save_churn_model(result.model, tmp_path, extra={"data_as_of": "2025-06-01"})
    metadata = json.loads((tmp_path / "churn_model.json").read_text())
    assert (
        metadata["sklearn_version"]
        and metadata["feature_columns"]
        and metadata["data_as_of"] == "2025-06-01"
    )
    assert metadata["report"]["model_test"]["auc"] == pytest.approx(result.report.model_test.auc)
    loaded = load_churn_model(tmp_path, config_version=CONFIG.version)
    assert loaded is not None
    pd.testing.assert_series_equal(
        loaded.predict_risk(history.measures, CONFIG),
        result.model.predict_risk(history.measures, CONFIG),
    )
    with pytest.raises(ModelArtifactError, match="health config"):
        load_churn_model(tmp_path, config_version="health_v1")  # the model is CONFIG's
    assert load_churn_model(tmp_path / "nowhere", config_version=CONFIG.version) is None
