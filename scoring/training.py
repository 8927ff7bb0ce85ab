"""Train and evaluate the churn model on the store's own renewal history.

Validation is time-ordered: outcomes are sorted by date; the oldest train the
candidates, the next slice picks the winner, calibrates its probabilities and chooses
the decision threshold, and the newest slice — never seen by any of those steps — is
where every reported figure comes from. The rule-based health is scored on the same
held-out slice, so the comparison is like for like.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from scoring.churn_model import CANDIDATES, ChurnModel, build_churn_pipeline
from scoring.config import COMPONENTS, HealthConfig
from scoring.evaluation import (
    RiskMetrics,
    best_f1_threshold,
    precision_at_top,
    risk_metrics,
    roc_auc,
)
from scoring.features import model_feature_frame
from scoring.health import component_scores, overall_health, score_measures


class InsufficientHistory(ValueError):
    """Too few labelled outcomes (or only one class) to train and honestly evaluate."""


@dataclass(frozen=True)
class TrainingSet:
    """Measures as of ``horizon`` before each outcome, with the outcome and its date."""

    measures: pd.DataFrame
    labels: pd.Series  # 1 = churned, 0 = renewed
    outcome_dates: pd.Series


@dataclass(frozen=True)
class SplitSummary:
    name: str
    count: int
    churned: int
    first_outcome: str
    last_outcome: str


@dataclass(frozen=True)
class CandidateResult:
    name: str
    selection_auc: float  # raw probabilities on the calibration slice (picks the winner)
    test: RiskMetrics


@dataclass(frozen=True)
class ModelReport:
    """Everything ``csbot model report`` prints; stored as JSON beside the artifact."""

    trained_at: str
    config_version: str
    horizon_days: int
    splits: tuple[SplitSummary, ...]
    candidates: tuple[CandidateResult, ...]
    chosen: str
    model_test: RiskMetrics
    rule_test: RiskMetrics
    current_weights: dict[str, float]
    proposed_weights: dict[str, float]
    proposed_weights_test_auc: float
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return _json_safe(asdict(self))


@dataclass(frozen=True)
class TrainingResult:
    model: ChurnModel
    report: ModelReport


def train_churn_model(
    training: TrainingSet, config: HealthConfig, *, random_state: int = 0
) -> TrainingResult:
    """Fit both candidates, pick and calibrate one, and evaluate on the newest outcomes.

    Raises:
        InsufficientHistory: with fewer than ``min_outcomes`` outcomes or one class only.
    """
    order = _time_order(training)
    measures = training.measures.loc[order].reset_index(drop=True)
    labels = training.labels.loc[order].astype(int).to_numpy()
    dates = pd.to_datetime(training.outcome_dates.loc[order]).reset_index(drop=True)
    train, calib, test = _split(len(labels), labels, config)

    features = model_feature_frame(measures, config)
    feature_columns = tuple(features.columns)
    candidates: list[CandidateResult] = []
    calibrated: dict[str, tuple[Any, float]] = {}
    for kind in CANDIDATES:
        pipeline = build_churn_pipeline(kind, config, random_state=random_state)
        pipeline.fit(features.iloc[train], labels[train])
        selection_auc = roc_auc(labels[calib], pipeline.predict_proba(features.iloc[calib])[:, 1])
        estimator = calibrate_on_slice(pipeline, features.iloc[calib], labels[calib])
        calib_probs = estimator.predict_proba(features.iloc[calib])[:, 1]
        threshold = best_f1_threshold(labels[calib], calib_probs)
        test_probs = estimator.predict_proba(features.iloc[test])[:, 1]
        candidates.append(
            CandidateResult(
                kind, selection_auc, risk_metrics(labels[test], test_probs, threshold=threshold)
            )
        )
        calibrated[kind] = (estimator, threshold)
    chosen = max(candidates, key=lambda c: (_finite(c.selection_auc), c.name == CANDIDATES[0]))

    health = rule_based_health(measures, config)
    rule_test = _rule_metrics(health["health"], labels, calib, test)
    proposed = propose_component_weights(health, labels, np.concatenate([train, calib]), config)
    proposed_health = rule_based_health(measures, config.with_component_weights(proposed))
    proposed_auc = roc_auc(labels[test], 100.0 - proposed_health["health"].to_numpy()[test])

    trained_at = datetime.now(UTC).isoformat(timespec="seconds")
    report = ModelReport(
        trained_at=trained_at,
        config_version=config.version,
        horizon_days=config.churn_model.horizon_days,
        splits=tuple(
            _summary(name, rows, labels, dates)
            for name, rows in (("train", train), ("calibration", calib), ("test", test))
        ),
        candidates=tuple(candidates),
        chosen=chosen.name,
        model_test=chosen.test,
        rule_test=rule_test,
        current_weights=config.component_weights,
        proposed_weights=proposed,
        proposed_weights_test_auc=proposed_auc,
        notes=(
            "All figures are on the test slice: the newest outcomes, unseen by fitting, "
            "model choice, calibration and threshold choice.",
            "The rule-based probability is a one-feature logistic fit of health on the "
            "calibration slice; its AUC and precision use the health ranking itself.",
        ),
    )
    estimator, threshold = calibrated[chosen.name]
    model = ChurnModel(
        estimator=estimator,
        config_version=config.version,
        feature_columns=feature_columns,
        metadata={"kind": chosen.name, "threshold": threshold, "report": report.to_dict()},
    )
    return TrainingResult(model=model, report=report)


def rule_based_health(measures: pd.DataFrame, config: HealthConfig) -> pd.DataFrame:
    """Components and health for training rows (the same code the daily score runs)."""
    components = component_scores(score_measures(measures, config), config)
    overall = overall_health(components, config)
    return pd.concat([components, overall[["health"]]], axis=1)


def propose_component_weights(
    health: pd.DataFrame, labels: np.ndarray, rows: np.ndarray, config: HealthConfig
) -> dict[str, float]:
    """Component weights fitted to outcomes: a logistic fit of churn on the five components.

    A component's proposed weight is proportional to how strongly a higher score goes
    with renewal (its negative coefficient; components on the same 0-100 scale make the
    coefficients comparable). Components with no protective effect get weight 0. A
    missing component is filled with the row's own health, which is what renormalising
    the weights does; a component missing for most rows keeps its current share.
    Returned on a 0-100 scale, rounded to whole points.
    """
    from sklearn.linear_model import LogisticRegression

    current = config.component_weights
    observed = [c for c in COMPONENTS if health[c].iloc[rows].notna().mean() >= 0.5]
    if not observed or len(np.unique(labels[rows])) < 2:
        return dict(current)
    frame = health[observed].apply(lambda column: column.fillna(health["health"]))
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(frame.iloc[rows].to_numpy() / 100.0, labels[rows])
    protective = np.clip(-model.coef_[0], 0.0, None)
    if protective.sum() <= 0:
        return dict(current)
    # Components mostly without data keep their current weight: there is no evidence.
    unobserved = [c for c in COMPONENTS if c not in observed]
    total = sum(current.values())
    kept = sum(current[c] for c in unobserved) / total * 100.0
    fitted = protective / protective.sum() * (100.0 - kept)
    proposal = {name: float(round(weight)) for name, weight in zip(observed, fitted, strict=True)}
    proposal.update({c: float(round(current[c] / total * 100.0)) for c in unobserved})
    return {name: proposal[name] for name in COMPONENTS}


def _rule_metrics(
    health: pd.Series, labels: np.ndarray, calib: np.ndarray, test: np.ndarray
) -> RiskMetrics:
    from sklearn.linear_model import LogisticRegression

    values = health.to_numpy(dtype=float).reshape(-1, 1) / 100.0
    platt = LogisticRegression(C=100.0)
    if len(np.unique(labels[calib])) < 2:
        calib_probs = np.full(len(calib), labels[calib].mean())
        test_probs = np.full(len(test), labels[calib].mean())
    else:
        platt.fit(values[calib], labels[calib])
        calib_probs = platt.predict_proba(values[calib])[:, 1]
        test_probs = platt.predict_proba(values[test])[:, 1]
    threshold = best_f1_threshold(labels[calib], calib_probs)
    metrics = risk_metrics(labels[test], test_probs, threshold=threshold)
    # The ranking is the health itself (lower = riskier), whatever Platt's slope says.
    risk = 100.0 - values[test, 0]
    return replace(
        metrics,
        auc=roc_auc(labels[test], risk),
        precision_at_top_10pct=precision_at_top(labels[test], risk),
    )


def calibrate_on_slice(pipeline: Any, features: pd.DataFrame, labels: np.ndarray) -> Any:
    """Sigmoid-calibrate a fitted pipeline on rows it was not fitted on (frozen, not refit)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator

    calibrator = CalibratedClassifierCV(FrozenEstimator(pipeline), method="sigmoid")
    return calibrator.fit(features, labels)


def _time_order(training: TrainingSet) -> pd.Index:
    keys = pd.DataFrame(
        {
            "date": pd.to_datetime(training.outcome_dates),
            "account": training.measures["account_id"].astype(str),
        },
        index=training.measures.index,
    )
    return keys.sort_values(["date", "account"], kind="stable").index


def _split(count: int, labels: np.ndarray, config: HealthConfig) -> tuple[np.ndarray, ...]:
    rules = config.churn_model
    if count < rules.min_outcomes:
        raise InsufficientHistory(
            f"only {count} past renewal outcomes (renewed or churned contracts); "
            f"at least {rules.min_outcomes} are needed to train and test a churn model"
        )
    test_size = max(1, math.ceil(count * rules.test_fraction))
    calib_size = max(1, math.ceil(count * rules.calibration_fraction))
    train_end = count - test_size - calib_size
    rows = np.arange(count)
    train, calib, test = (
        rows[:train_end],
        rows[train_end : train_end + calib_size],
        rows[-test_size:],
    )
    for name, part in (("training", train), ("calibration", calib), ("test", test)):
        if len(np.unique(labels[part])) < 2:
            raise InsufficientHistory(
                f"the {name} slice of the renewal history has only "
                f"{'churned' if labels[part].all() else 'renewed'} outcomes; "
                "both are needed to train and evaluate a churn model"
            )
    return train, calib, test


def _summary(name: str, rows: np.ndarray, labels: np.ndarray, dates: pd.Series) -> SplitSummary:
    part = dates.iloc[rows]
    return SplitSummary(
        name=name,
        count=int(len(rows)),
        churned=int(labels[rows].sum()),
        first_outcome=part.min().date().isoformat(),
        last_outcome=part.max().date().isoformat(),
    )


def _finite(value: float) -> float:
    return value if math.isfinite(value) else -1.0


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return _json_safe(value.item())
    return value
