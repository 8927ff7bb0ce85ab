"""Metrics for a risk ranking: the figures ``csbot model report`` prints.

The same functions score the churn model and the rule-based health (as risk = lower
health), so the two are compared on exactly the same held-out rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    lower: float
    upper: float
    count: int
    mean_predicted: float
    observed_rate: float


@dataclass(frozen=True, slots=True)
class RiskMetrics:
    """How well one risk score separates churned from renewed outcomes."""

    auc: float
    f1: float
    threshold: float
    precision_at_top_10pct: float
    brier: float
    count: int
    positives: int
    calibration: tuple[CalibrationBin, ...]


def roc_auc(labels: np.ndarray, risk: np.ndarray) -> float:
    """Area under the ROC curve; NaN when only one class is present."""
    from sklearn.metrics import roc_auc_score

    if len(np.unique(labels)) < 2:
        return math.nan
    return float(roc_auc_score(labels, risk))


def best_f1_threshold(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """The probability cut that maximises F1 (chosen on calibration rows, used on test)."""
    from sklearn.metrics import precision_recall_curve

    if len(np.unique(labels)) < 2:
        return 0.5
    precision, recall, thresholds = precision_recall_curve(labels, probabilities)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    best = int(np.nanargmax(f1[:-1])) if len(thresholds) else 0
    return float(thresholds[best]) if len(thresholds) else 0.5


def precision_at_top(labels: np.ndarray, risk: np.ndarray, fraction: float = 0.10) -> float:
    """Share of churned outcomes among the riskiest ``fraction`` of rows."""
    if len(labels) == 0:
        return math.nan
    count = max(1, math.ceil(len(labels) * fraction))
    order = np.argsort(-risk, kind="stable")[:count]
    return float(np.mean(labels[order]))


def calibration_table(
    labels: np.ndarray, probabilities: np.ndarray, bins: int = 5
) -> tuple[CalibrationBin, ...]:
    """Predicted vs observed churn in equal-width probability bins (empty bins omitted)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(probabilities, edges[1:-1], right=False), 0, bins - 1)
    table = []
    for position in range(bins):
        mask = index == position
        if not mask.any():
            continue
        table.append(
            CalibrationBin(
                lower=float(edges[position]),
                upper=float(edges[position + 1]),
                count=int(mask.sum()),
                mean_predicted=float(probabilities[mask].mean()),
                observed_rate=float(labels[mask].mean()),
            )
        )
    return tuple(table)


def risk_metrics(labels: np.ndarray, probabilities: np.ndarray, *, threshold: float) -> RiskMetrics:
    """All report figures for calibrated churn probabilities on held-out rows."""
    from sklearn.metrics import brier_score_loss, f1_score

    labels = np.asarray(labels, dtype=int)
    probabilities = np.asarray(probabilities, dtype=float)
    predicted = (probabilities >= threshold).astype(int)
    return RiskMetrics(
        auc=roc_auc(labels, probabilities),
        f1=float(f1_score(labels, predicted, zero_division=0)),
        threshold=float(threshold),
        precision_at_top_10pct=precision_at_top(labels, probabilities),
        brier=float(brier_score_loss(labels, probabilities)) if len(labels) else math.nan,
        count=int(len(labels)),
        positives=int(labels.sum()),
        calibration=calibration_table(labels, probabilities),
    )


def json_safe(value: Any) -> Any:
    """Metrics as JSON can carry them: NaN/inf become null, numpy scalars plain numbers."""
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return json_safe(value.item())
    return value
