"""Benchmark: csbot's churn learner on real labelled data (IBM Telco customer churn).

The same candidate pipelines (`scoring.churn_model.build_churn_pipeline`), the same
sigmoid calibration on a separate slice, and the same metrics (`scoring.evaluation`)
as `csbot model train`, on 7,043 real customers. Telco has no time column, so the
split is a seeded stratified 60/20/20 train/calibration/test instead of time order.
Telco's columns map onto the pipeline's feature slots: numeric columns take the place
of the health measures and the contract type takes the place of the segment.

    .venv/bin/python bench/bench_telco.py [--csv PATH]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CSV = ROOT.parent / "shared" / "datasets" / "telco-churn" / "Telco-Customer-Churn.csv"


def telco_features(raw: pd.DataFrame, numeric_slots: list[str]) -> pd.DataFrame:
    """Encode Telco columns into the churn pipeline's numeric slots and ``segment``."""
    frame = raw.copy()
    frame["TotalCharges"] = pd.to_numeric(frame["TotalCharges"].str.strip(), errors="coerce")
    encoded = pd.DataFrame(index=frame.index)
    encoded["tenure"] = frame["tenure"].astype(float)
    encoded["monthly"] = frame["MonthlyCharges"].astype(float)
    encoded["total"] = frame["TotalCharges"]
    encoded["senior"] = frame["SeniorCitizen"].astype(float)
    for column in ("Partner", "Dependents", "PhoneService", "PaperlessBilling"):
        encoded[column] = (frame[column] == "Yes").astype(float)
    for column in (
        "OnlineSecurity",
        "OnlineBackup",
        "DeviceProtection",
        "TechSupport",
        "StreamingTV",
        "StreamingMovies",
        "MultipleLines",
    ):
        encoded[column] = (frame[column] == "Yes").astype(float)
    encoded["fiber"] = (frame["InternetService"] == "Fiber optic").astype(float)
    encoded["no_internet"] = (frame["InternetService"] == "No").astype(float)
    encoded["electronic_check"] = (frame["PaymentMethod"] == "Electronic check").astype(float)
    if encoded.shape[1] > len(numeric_slots):
        raise SystemExit("more Telco features than pipeline slots")
    features = pd.DataFrame(index=frame.index)
    for position, slot in enumerate(numeric_slots):
        features[slot] = encoded.iloc[:, position] if position < encoded.shape[1] else np.nan
    features["segment"] = frame["Contract"].astype(str)
    return features


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from sklearn.model_selection import train_test_split

    from scoring.churn_model import CANDIDATES, build_churn_pipeline
    from scoring.config import load_health_config
    from scoring.evaluation import best_f1_threshold, risk_metrics, roc_auc
    from scoring.features import numeric_feature_names
    from scoring.training import calibrate_on_slice

    config = load_health_config()
    raw = pd.read_csv(args.csv)
    labels = (raw["Churn"] == "Yes").astype(int).to_numpy()
    features = telco_features(raw, list(numeric_feature_names(config)))
    rows = np.arange(len(raw))
    train, rest = train_test_split(rows, test_size=0.4, stratify=labels, random_state=args.seed)
    calib, test = train_test_split(
        rest, test_size=0.5, stratify=labels[rest], random_state=args.seed
    )
    print(
        f"Telco: {len(raw)} customers, churn rate {labels.mean():.3f}; "
        f"train {len(train)}, calibration {len(calib)}, test {len(test)}"
    )
    for kind in CANDIDATES:
        started = time.perf_counter()
        pipeline = build_churn_pipeline(kind, config, random_state=args.seed)
        pipeline.fit(features.iloc[train], labels[train])
        raw_test_auc = roc_auc(labels[test], pipeline.predict_proba(features.iloc[test])[:, 1])
        calibrated = calibrate_on_slice(pipeline, features.iloc[calib], labels[calib])
        threshold = best_f1_threshold(
            labels[calib], calibrated.predict_proba(features.iloc[calib])[:, 1]
        )
        metrics = risk_metrics(
            labels[test], calibrated.predict_proba(features.iloc[test])[:, 1], threshold=threshold
        )
        seconds = time.perf_counter() - started
        print(f"\n{kind}: fit+calibrate {seconds:.1f}s")
        print(
            f"  test AUC {metrics.auc:.3f} (uncalibrated {raw_test_auc:.3f}), F1 {metrics.f1:.3f} "
            f"at {metrics.threshold:.2f}, precision@10% {metrics.precision_at_top_10pct:.3f}, "
            f"Brier {metrics.brier:.4f} (base-rate Brier {labels[test].mean() * (1 - labels[test].mean()):.4f})"
        )
        print("  calibration:   bin        n   predicted  observed")
        for row in metrics.calibration:
            print(
                f"               {row.lower:.1f}-{row.upper:.1f} {row.count:>6} {row.mean_predicted:>10.3f}"
                f" {row.observed_rate:>9.3f}"
            )


if __name__ == "__main__":
    main()
