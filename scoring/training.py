"""Train and evaluate the churn model on the store's own renewal history.

Each outcome gives several samples, one per lead time (features as of 15, 30, ... 180
days before it), so the model learns every distance from renewal it is scored at.
Validation is time-ordered and group-aware: outcomes are sorted by date; the oldest
train the candidates, the next slice picks the winner, calibrates its probabilities and
chooses the decision threshold, and the newest slice — never seen by any of those steps —
is where every reported figure comes from. An account with an outcome in a later slice
is purged from the earlier ones, so one account's snapshots never sit on both sides of
a split. The rule-based health is scored on the same held-out rows, so the comparison is
like for like; the point-in-time back-test (``scoring.backtest``) then decides whether
``churn_risk`` comes from the model or from the calibrated health score.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from scoring.churn_model import (
    CANDIDATES,
    ChurnModel,
    HealthCalibration,
    build_churn_pipeline,
    reference_features,
)
from scoring.config import COMPONENTS, HealthConfig
from scoring.evaluation import (
    RiskMetrics,
    best_f1_threshold,
    json_safe,
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
    """Measures as of each lead time before each outcome, with the outcome and its date.

    ``outcome_ids`` group the samples of one outcome (default: one sample per outcome),
    ``groups`` the samples of one account (default: ``measures.account_id``), and
    ``lead_days`` say how far before the outcome each sample was taken.
    """

    measures: pd.DataFrame
    labels: pd.Series  # 1 = churned, 0 = renewed
    outcome_dates: pd.Series
    outcome_ids: pd.Series | None = None
    groups: pd.Series | None = None
    lead_days: pd.Series | None = None


@dataclass(frozen=True)
class SplitSummary:
    name: str
    count: int  # samples (outcome x lead time)
    churned: int  # churned samples
    first_outcome: str
    last_outcome: str
    outcomes: int = 0
    accounts: int = 0
    purged: int = 0  # samples dropped because their account has an outcome in a later slice


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
    lead_days: tuple[int, ...] = ()
    health_calibration: dict[str, float] = field(default_factory=dict)
    backtest: dict[str, Any] = field(default_factory=dict)  # scoring.backtest.BacktestReport
    risk_source: str = "model"
    risk_source_reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return json_safe(asdict(self))


@dataclass(frozen=True)
class TrainingResult:
    model: ChurnModel
    report: ModelReport
    test_outcome_ids: frozenset[Any] = frozenset()
    """The outcomes of the test slice: the back-test judges the model on these only."""
    test_first_outcome: str = ""


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
    outcome_ids = _column(training.outcome_ids, order, pd.Series(order, index=order))
    groups = _column(training.groups, order, training.measures["account_id"].astype(str))
    leads = _column(training.lead_days, order, training.measures["days_to_renewal"])
    train, calib, test, purged = _split(outcome_ids, groups, labels, config)

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
    health_calibration = fit_health_calibration(health["health"], labels, calib)
    rule_test = _rule_metrics(health["health"], labels, calib, test, health_calibration)
    proposed = propose_component_weights(health, labels, np.concatenate([train, calib]), config)
    proposed_health = rule_based_health(measures, config.with_component_weights(proposed))
    proposed_auc = roc_auc(labels[test], 100.0 - proposed_health["health"].to_numpy()[test])

    trained_at = datetime.now(UTC).isoformat(timespec="seconds")
    report = ModelReport(
        trained_at=trained_at,
        config_version=config.version,
        horizon_days=config.churn_model.horizon_days,
        splits=tuple(
            _summary(name, rows, labels, dates, outcome_ids, groups, purged.get(name, 0))
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
            "Slice figures are on the test slice: the newest outcomes (one sample per lead "
            "time), unseen by fitting, model choice, calibration and threshold choice; "
            "accounts with a later outcome are purged from earlier slices.",
            "The rule-based probability is a one-feature logistic fit of health on the "
            "calibration slice; its AUC and precision use the health ranking itself.",
        ),
        lead_days=tuple(sorted({int(lead) for lead in leads.dropna()})),
        health_calibration={
            "intercept": health_calibration.intercept,
            "slope": health_calibration.slope,
        },
    )
    estimator, threshold = calibrated[chosen.name]
    model = ChurnModel(
        estimator=estimator,
        config_version=config.version,
        feature_columns=feature_columns,
        metadata={
            "kind": chosen.name,
            "threshold": threshold,
            "report": report.to_dict(),
            "reference_features": reference_features(features.iloc[train]),
        },
        health_calibration=health_calibration,
    )
    return TrainingResult(
        model=model,
        report=report,
        test_outcome_ids=frozenset(outcome_ids.iloc[test].tolist()),
        test_first_outcome=dates.iloc[test].min().date().isoformat(),
    )


def fit_health_calibration(
    health: pd.Series, labels: np.ndarray, rows: np.ndarray
) -> HealthCalibration:
    """Platt scaling of health on ``rows`` (the calibration slice): P(churn | health)."""
    from sklearn.linear_model import LogisticRegression

    values = health.to_numpy(dtype=float)[rows]
    known = np.isfinite(values)
    outcome = labels[rows][known]
    if len(np.unique(outcome)) < 2:
        rate = float(np.clip(outcome.mean() if len(outcome) else 0.5, 1e-3, 1 - 1e-3))
        return HealthCalibration(intercept=float(np.log(rate / (1 - rate))), slope=0.0)
    platt = LogisticRegression(C=100.0)
    platt.fit(values[known].reshape(-1, 1) / 100.0, outcome)
    slope = float(platt.coef_[0][0])
    # Lower health must never mean lower risk: a flat or inverted fit keeps the ranking.
    return HealthCalibration(intercept=float(platt.intercept_[0]), slope=min(slope, -1e-3))


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
    health: pd.Series,
    labels: np.ndarray,
    calib: np.ndarray,
    test: np.ndarray,
    calibration: HealthCalibration,
) -> RiskMetrics:
    values = health.to_numpy(dtype=float)
    calib_probs = calibration.probability(pd.Series(values[calib])).to_numpy()
    test_probs = calibration.probability(pd.Series(values[test])).to_numpy()
    threshold = best_f1_threshold(labels[calib], calib_probs)
    metrics = risk_metrics(labels[test], test_probs, threshold=threshold)
    # The ranking is the health itself (lower = riskier), whatever Platt's slope says.
    risk = 100.0 - values[test]
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
    outcome = training.outcome_ids if training.outcome_ids is not None else None
    keys = pd.DataFrame(
        {
            "date": pd.to_datetime(training.outcome_dates),
            "account": training.measures["account_id"].astype(str),
            "outcome": (outcome.astype(str) if outcome is not None else ""),
        },
        index=training.measures.index,
    )
    return keys.sort_values(["date", "account", "outcome"], kind="stable").index


def _column(values: pd.Series | None, order: pd.Index, default: pd.Series) -> pd.Series:
    source = default if values is None else values
    return source.loc[order].reset_index(drop=True)


def _split(
    outcome_ids: pd.Series, groups: pd.Series, labels: np.ndarray, config: HealthConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, int]]:
    """Time-ordered train / calibration / test rows by outcome, purged by account.

    Rows arrive in time order. Outcomes (all samples of one renewal stay together) are
    cut into the three slices by count; then any sample whose account has an outcome in
    a later slice is dropped from the earlier one, so no account is on both sides.
    """
    rules = config.churn_model
    ordered = pd.unique(outcome_ids.to_numpy())
    count = len(ordered)
    if count < rules.min_outcomes:
        raise InsufficientHistory(
            f"only {count} past renewal outcomes (renewed or churned contracts); "
            f"at least {rules.min_outcomes} are needed to train and test a churn model"
        )
    test_size = max(1, math.ceil(count * rules.test_fraction))
    calib_size = max(1, math.ceil(count * rules.calibration_fraction))
    train_end = count - test_size - calib_size
    slice_of = {outcome: 0 for outcome in ordered[:train_end]}
    slice_of.update({outcome: 1 for outcome in ordered[train_end : train_end + calib_size]})
    slice_of.update({outcome: 2 for outcome in ordered[train_end + calib_size :]})
    position = outcome_ids.map(slice_of).to_numpy(dtype=int)
    latest = pd.Series(position).groupby(groups.to_numpy()).transform("max").to_numpy()
    rows = np.arange(len(position))
    purged = {
        "train": int(((position == 0) & (latest > 0)).sum()),
        "calibration": int(((position == 1) & (latest > 1)).sum()),
    }
    train = rows[(position == 0) & (latest == 0)]
    calib = rows[(position == 1) & (latest == 1)]
    test = rows[position == 2]
    for name, part in (("training", train), ("calibration", calib), ("test", test)):
        if len(np.unique(labels[part])) < 2:
            raise InsufficientHistory(
                f"the {name} slice of the renewal history has only "
                f"{'churned' if len(part) and labels[part].all() else 'renewed'} outcomes; "
                "both are needed to train and evaluate a churn model"
            )
    return train, calib, test, purged


def _summary(
    name: str,
    rows: np.ndarray,
    labels: np.ndarray,
    dates: pd.Series,
    outcome_ids: pd.Series,
    groups: pd.Series,
    purged: int,
) -> SplitSummary:
    part = dates.iloc[rows]
    return SplitSummary(
        name=name,
        count=int(len(rows)),
        churned=int(labels[rows].sum()),
        first_outcome=part.min().date().isoformat(),
        last_outcome=part.max().date().isoformat(),
        outcomes=int(outcome_ids.iloc[rows].nunique()),
        accounts=int(groups.iloc[rows].nunique()),
        purged=purged,
    )


def _finite(value: float) -> float:
    return value if math.isfinite(value) else -1.0
