"""The point-in-time back-test: churn risk judged the way it is used, on a normal day.

The slice metrics of ``scoring.training`` score samples taken at fixed lead times before
each outcome. A CSM, though, sees ``churn_risk`` on whatever day they look, at any
distance from the renewal. So the back-test takes past days D, scores every account as
``csbot score --as-of D`` would (only data before D), and compares each score with what
happened at that account's next renewal. The figures come by lead-time bucket (days
from D to that renewal), for the churn model and for the calibrated health score, and
they decide which of the two ``churn_risk`` shows (:func:`choose_risk_source`).

Only outcomes of the training run's test slice are labelled here, so the model is never
judged on a renewal (or an account) it was fitted or calibrated on.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.config import HealthConfig
from scoring.evaluation import json_safe, precision_at_top, roc_auc

#: Lead-time buckets (days from the scoring day to the next renewal), inclusive bounds.
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-90", 31, 90),
    ("91-180", 91, 180),
    ("181+", 181, None),
)
ALL = "all"
#: The model must beat the health score's pooled back-test AUC by at least this much.
MIN_AUC_GAIN = 0.0
#: ... and beat it in this share of account-level bootstrap resamples: a back-test labels
#: only the test slice's few dozen accounts, where an AUC lead of 0.03 is often noise.
MIN_WIN_CONFIDENCE = 0.9
BOOTSTRAP_ROUNDS = 300


@dataclass(frozen=True, slots=True)
class RankFigures:
    auc: float
    brier: float
    precision_at_top_10pct: float


@dataclass(frozen=True, slots=True)
class BucketFigures:
    bucket: str
    count: int  # account-days
    churned: int
    accounts: int
    model: RankFigures
    health: RankFigures


@dataclass(frozen=True, slots=True)
class Stability:
    """Day-to-day movement of the risk, over every account scored on D and D+1."""

    pairs: int
    band_flip_rate: float  # share of account-day pairs whose low/medium/high band changed
    jump_rate: float  # share moving more than ``max_daily_change``
    max_daily_change: float


@dataclass(frozen=True, slots=True)
class BacktestReport:
    days: tuple[str, ...]
    buckets: tuple[BucketFigures, ...]  # the four lead-time buckets, then "all"
    model_stability: Stability
    health_stability: Stability
    #: Share of account-level bootstrap resamples in which the model's pooled AUC beats
    #: the health score's (None when the back-test has one class only).
    model_win_share: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return json_safe(asdict(self))

    def bucket(self, name: str) -> BucketFigures:
        return next(b for b in self.buckets if b.bucket == name)


def label_next_renewals(measures: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Rows of one scoring day whose current contract ends in a known outcome.

    Args:
        measures: ``scoring.measures.derive_measures`` output for one day (``as_of``,
            ``contract_end_date`` = the end of the contract running on that day).
        outcomes: ``account_id``, ``end_date``, ``status`` (renewed / churned), and
            ``contract_id`` of the outcomes that may be used as labels.

    Returns:
        ``measures``' index labels with ``label`` (1 churned) and ``lead_days``.
    """
    if measures.empty or outcomes.empty:
        return pd.DataFrame({"label": pd.Series(dtype=int), "lead_days": pd.Series(dtype=int)})
    key = pd.DataFrame(
        {
            "row": measures.index,
            "account_id": measures["account_id"].astype(str).to_numpy(),
            "end_date": pd.to_datetime(measures["contract_end_date"]).to_numpy(),
            "as_of": pd.to_datetime(measures["as_of"]).to_numpy(),
        }
    )
    known = outcomes.assign(
        account_id=outcomes["account_id"].astype(str),
        end_date=pd.to_datetime(outcomes["end_date"]),
    )[["account_id", "end_date", "status"]]
    joined = key.merge(known, on=["account_id", "end_date"], how="inner")
    joined = joined[joined["end_date"] >= joined["as_of"]]
    return pd.DataFrame(
        {
            "label": (joined["status"] == "churned").astype(int).to_numpy(),
            "lead_days": (joined["end_date"] - joined["as_of"]).dt.days.astype(int).to_numpy(),
        },
        index=pd.Index(joined["row"].to_numpy()),
    )


def bucket_of(lead_days: pd.Series) -> pd.Series:
    """The lead-time bucket name of each row."""
    names = pd.Series(BUCKETS[-1][0], index=lead_days.index, dtype=object)
    for name, low, high in reversed(BUCKETS[:-1]):
        names = names.where(~((lead_days >= low) & (lead_days <= (high or 10**9))), name)
    return names


def risk_band(risk: pd.Series, config: HealthConfig) -> pd.Series:
    """low / medium / high from a churn probability (the bands whose flips are counted)."""
    bands = config.churn_model.risk_bands
    values = risk.to_numpy(dtype=float)
    named = np.where(
        values >= bands.high_from, "high", np.where(values >= bands.medium_from, "medium", "low")
    )
    return pd.Series(named, index=risk.index, dtype=object)


def stability(before: pd.Series, after: pd.Series, config: HealthConfig) -> Stability:
    """How often the risk band flips, and the risk jumps, from one day to the next.

    ``before`` and ``after`` are risks indexed by account for two consecutive days.
    """
    limit = config.churn_model.max_daily_change
    both = pd.concat([before.rename("d0"), after.rename("d1")], axis=1, join="inner").dropna()
    if both.empty:
        return Stability(0, math.nan, math.nan, limit)
    flips = risk_band(both["d0"], config) != risk_band(both["d1"], config)
    jumps = (both["d1"] - both["d0"]).abs() > limit
    return Stability(int(len(both)), float(flips.mean()), float(jumps.mean()), limit)


def pooled_stability(parts: list[Stability], limit: float) -> Stability:
    """One figure for many day pairs, weighted by how many accounts each pair had."""
    pairs = sum(part.pairs for part in parts)
    if pairs == 0:
        return Stability(0, math.nan, math.nan, limit)
    flip = sum(part.band_flip_rate * part.pairs for part in parts if part.pairs) / pairs
    jump = sum(part.jump_rate * part.pairs for part in parts if part.pairs) / pairs
    return Stability(pairs, float(flip), float(jump), limit)


def backtest_report(
    rows: pd.DataFrame,
    *,
    days: list[str],
    model_stability: Stability,
    health_stability: Stability,
) -> BacktestReport:
    """Back-test figures by lead-time bucket and pooled.

    Args:
        rows: one row per (account, day) with ``account_id``, ``label``, ``lead_days``,
            ``model_risk``, ``health`` and ``health_risk`` (the calibrated probability).
    """
    buckets = bucket_of(rows["lead_days"]) if len(rows) else pd.Series(dtype=object)
    figures = []
    for name in [bucket[0] for bucket in BUCKETS] + [ALL]:
        part = rows if name == ALL else rows[buckets == name]
        labels = part["label"].to_numpy(dtype=int)
        figures.append(
            BucketFigures(
                bucket=name,
                count=int(len(part)),
                churned=int(labels.sum()),
                accounts=int(part["account_id"].nunique()) if len(part) else 0,
                model=_figures(labels, part["model_risk"].to_numpy(dtype=float)),
                health=_figures(
                    labels,
                    part["health_risk"].to_numpy(dtype=float),
                    ranking=100.0 - part["health"].to_numpy(dtype=float),
                ),
            )
        )
    return BacktestReport(
        tuple(days),
        tuple(figures),
        model_stability,
        health_stability,
        model_win_share=model_win_share(rows),
    )


def model_win_share(rows: pd.DataFrame, *, rounds: int = BOOTSTRAP_ROUNDS) -> float | None:
    """How often the model out-ranks health when the back-test's accounts are resampled.

    Accounts (not account-days) are drawn with replacement, because one account's days
    are not independent evidence. Seeded, so a report is reproducible.
    """
    if len(rows) == 0 or rows["label"].nunique() < 2:
        return None
    groups = [part for _, part in rows.groupby("account_id", sort=True)]
    rng = np.random.default_rng(0)
    wins = counted = 0
    for _ in range(rounds):
        picks = rng.integers(0, len(groups), size=len(groups))
        sample = pd.concat([groups[i] for i in picks], ignore_index=True)
        labels = sample["label"].to_numpy(dtype=int)
        if labels.min() == labels.max():
            continue
        model = roc_auc(labels, sample["model_risk"].to_numpy(dtype=float))
        health = roc_auc(labels, 100.0 - sample["health"].to_numpy(dtype=float))
        counted += 1
        wins += int(model > health + MIN_AUC_GAIN)
    return wins / counted if counted else None


def choose_risk_source(
    report: BacktestReport | None, *, slice_auc: tuple[float, float]
) -> tuple[str, str]:
    """``("model" | "health", why)``: the model only where it beats health on the back-test.

    The pooled back-test AUC (every lead time, as ``churn_risk`` is seen) decides. Without
    a back-test (no labelled day yet) the test-slice AUCs (model, health) decide instead,
    and the reason says so.
    """
    if report is not None and report.bucket(ALL).count and report.bucket(ALL).churned:
        pooled = report.bucket(ALL)
        model_auc, health_auc, where = (
            pooled.model.auc,
            pooled.health.auc,
            "point-in-time back-test",
        )
    else:
        model_auc, health_auc = slice_auc
        where = "test slice (no back-test day had a known next renewal)"
    if not math.isfinite(model_auc) or not math.isfinite(health_auc):
        return (
            "health",
            f"churn risk from the calibrated health score: the {where} has one class only",
        )
    confidence = report.model_win_share if report is not None else None
    if (
        model_auc > health_auc + MIN_AUC_GAIN
        and confidence is not None
        and confidence < MIN_WIN_CONFIDENCE
    ):
        return (
            "health",
            f"churn risk from the calibrated health score: the model led on the {where} "
            f"(AUC {model_auc:.3f} vs {health_auc:.3f}) in only {confidence:.0%} of account "
            f"resamples (needs {MIN_WIN_CONFIDENCE:.0%})",
        )
    if model_auc > health_auc + MIN_AUC_GAIN:
        return (
            "model",
            f"churn risk from the model: it ranks next-renewal churners better than the health "
            f"score on the {where} (AUC {model_auc:.3f} vs {health_auc:.3f})",
        )
    return (
        "health",
        f"churn risk from the calibrated health score: the model did not beat it on the "
        f"{where} (AUC {model_auc:.3f} vs {health_auc:.3f})",
    )


def compare_health_configs(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Per lead-time bucket (and pooled): AUC and precision@10% of two health scores.

    ``rows`` holds ``label``, ``lead_days``, ``health`` (current) and ``proposed_health``.
    """
    buckets = bucket_of(rows["lead_days"])
    table = []
    for name in [bucket[0] for bucket in BUCKETS] + [ALL]:
        part = rows if name == ALL else rows[buckets == name]
        labels = part["label"].to_numpy(dtype=int)
        entry: dict[str, Any] = {
            "bucket": name,
            "count": int(len(part)),
            "churned": int(labels.sum()),
        }
        for key, column in (("current", "health"), ("proposed", "proposed_health")):
            risk = 100.0 - part[column].to_numpy(dtype=float)
            entry[f"{key}_auc"] = roc_auc(labels, risk) if len(part) else math.nan
            entry[f"{key}_precision_at_top_10pct"] = precision_at_top(labels, risk)
        table.append(json_safe(entry))
    return table


def _figures(
    labels: np.ndarray, probabilities: np.ndarray, ranking: np.ndarray | None = None
) -> RankFigures:
    if len(labels) == 0:
        return RankFigures(math.nan, math.nan, math.nan)
    rank = probabilities if ranking is None else ranking
    brier = float(np.mean((probabilities - labels) ** 2))
    return RankFigures(roc_auc(labels, rank), brier, precision_at_top(labels, rank))
