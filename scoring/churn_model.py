"""Churn model candidates and the trained model that turns measures into probabilities.

Two candidates are compared on every training run: a regularised logistic regression
(transparent, hard to overfit on a few hundred outcomes) and histogram gradient
boosting (captures thresholds and interactions such as "usage fell *and* the champion
went quiet"). Both are sklearn Pipelines so imputation and scaling are learned on the
training rows only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from scoring.config import HealthConfig
from scoring.features import CATEGORICAL_FEATURES, model_feature_frame, numeric_feature_names

CANDIDATES: tuple[str, ...] = ("logistic_regression", "gradient_boosting")
#: Where ``churn_risk`` comes from: the learned model, or the calibrated health score.
RISK_SOURCES: tuple[str, ...] = ("model", "health")


def build_churn_pipeline(kind: str, config: HealthConfig, *, random_state: int = 0) -> Any:
    """An unfitted Pipeline (ColumnTransformer + estimator) for one candidate."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = list(numeric_feature_names(config))
    categorical = list(CATEGORICAL_FEATURES)
    one_hot = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    # Missingness itself is a signal ("no NPS on record"), so both candidates get indicator
    # columns; imputing also keeps columns that are empty in a training slice (e.g. ticket
    # sentiment before it was computed) from breaking the fit.
    impute = SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)
    numeric_steps: Any
    if kind == "logistic_regression":
        numeric_steps = Pipeline([("impute", impute), ("scale", StandardScaler())])
        estimator: Any = LogisticRegression(C=0.5, max_iter=2000)
    elif kind == "gradient_boosting":
        numeric_steps = impute
        estimator = HistGradientBoostingClassifier(
            learning_rate=0.1,
            max_iter=100,
            max_leaf_nodes=8,
            min_samples_leaf=15,
            l2_regularization=1.0,
            random_state=random_state,
        )
    else:
        raise ValueError(f"unknown churn model kind {kind!r}; expected one of {CANDIDATES}")
    columns = ColumnTransformer(
        [("numeric", numeric_steps, numeric), ("categorical", one_hot, categorical)],
        verbose_feature_names_out=False,
    )
    return Pipeline([("columns", columns), ("model", estimator)])


@dataclass(frozen=True)
class HealthCalibration:
    """churn probability = sigmoid(intercept + slope x health / 100), fitted on outcomes.

    Monotone in health, so it ranks accounts exactly as the health score does; it is
    what ``churn_risk`` shows when the learned model did not beat it on the back-test.
    """

    intercept: float
    slope: float

    def probability(self, health: pd.Series) -> pd.Series:
        logits = self.intercept + self.slope * health.astype("float64") / 100.0
        values = 1.0 / (1.0 + np.exp(-logits.clip(-50, 50)))
        return pd.Series(values, index=health.index, dtype="float64")


@dataclass(frozen=True)
class ChurnModel:
    """A fitted, calibrated churn model plus what is needed to trust and reuse it.

    ``source`` says which probability ``churn_risk`` is: the model's, or (when the model
    did not rank next-renewal churners better than the health score on the point-in-time
    back-test) the calibrated health score's.
    """

    estimator: Any
    config_version: str
    feature_columns: tuple[str, ...]
    metadata: dict[str, Any] = field(default_factory=dict)
    source: str = "model"
    health_calibration: HealthCalibration | None = None

    def predict_risk(
        self, measures: pd.DataFrame, config: HealthConfig, *, health: pd.Series | None = None
    ) -> pd.Series:
        """Probability of churn at the next renewal, per row of ``measures``.

        ``health`` (the rows' health scores) saves recomputing it when the source is health.
        """
        if measures.empty:
            return pd.Series(dtype="float64", index=measures.index)
        if self.source == "health" and self.health_calibration is not None:
            if health is None:
                from scoring.health import component_scores, overall_health, score_measures

                components = component_scores(score_measures(measures, config), config)
                health = overall_health(components, config)["health"]
            return self.health_calibration.probability(health).round(4)
        return self.model_risk(measures, config)

    def model_risk(self, measures: pd.DataFrame, config: HealthConfig) -> pd.Series:
        """The learned model's probability, whatever ``source`` says (back-test, report)."""
        if measures.empty:
            return pd.Series(dtype="float64", index=measures.index)
        from threadpoolctl import threadpool_limits

        features = model_feature_frame(measures, config)[list(self.feature_columns)]
        # One thread: on a shared box OpenMP threads contend and a 20,000-row predict
        # took 4-6x longer with them than without (measured in bench/bench_score.py).
        with threadpool_limits(limits=1):
            probabilities = self.estimator.predict_proba(features)[:, 1]
        return pd.Series(probabilities, index=measures.index, dtype="float64").round(4)

    def risk_drivers(
        self, measures: pd.DataFrame, config: HealthConfig, *, top_n: int = 3
    ) -> pd.DataFrame:
        """Per-account drivers of the model's risk, each with the account's real number.

        A feature's contribution is how much the model's probability falls when that one
        feature is set to the typical training value (median; the most common segment),
        all else kept: occlusion, which reads a linear model's coefficients and a tree
        ensemble's thresholds alike. Positive raises risk. Returns a long frame
        (``row``, ``rank``, ``feature``, ``value``, ``typical``, ``contribution``, ``text``)
        of the ``top_n`` risk-raising features per row; empty without a reference.
        """
        columns = ["row", "rank", "feature", "value", "typical", "contribution", "text"]
        reference: dict[str, Any] = self.metadata.get("reference_features") or {}
        if measures.empty or not reference:
            return pd.DataFrame(columns=columns)
        from threadpoolctl import threadpool_limits

        features = model_feature_frame(measures, config)[list(self.feature_columns)]
        parts = []
        with threadpool_limits(limits=1):
            base = self.estimator.predict_proba(features)[:, 1]
            for name in self.feature_columns:
                if name not in reference:
                    continue
                swapped = features.copy()
                swapped[name] = reference[name]
                delta = base - self.estimator.predict_proba(swapped)[:, 1]
                parts.append(
                    pd.DataFrame(
                        {
                            "row": np.arange(len(features)),
                            "feature": name,
                            "value": features[name].to_numpy(dtype=object),
                            "typical": reference[name],
                            "contribution": delta,
                        }
                    )
                )
        if not parts:
            return pd.DataFrame(columns=columns)
        long = pd.concat(parts, ignore_index=True)
        long = long[long["contribution"] > 0.005]
        long = long.sort_values(["row", "contribution"], ascending=[True, False], kind="stable")
        long["rank"] = long.groupby("row").cumcount() + 1
        long = long[long["rank"] <= top_n].copy()
        long["text"] = [
            f"{_label(name)} {_number(value)} (typical {_number(typical)}): "
            f"+{contribution * 100:.1f} pts churn risk"
            for name, value, typical, contribution in zip(
                long["feature"], long["value"], long["typical"], long["contribution"], strict=True
            )
        ]
        long["row"] = measures.index.to_numpy()[long["row"].to_numpy(dtype=int)]
        return long[columns].reset_index(drop=True)

    def with_source(self, source: str, **metadata: Any) -> ChurnModel:
        """A copy whose ``churn_risk`` comes from ``source``, with extra metadata."""
        if source not in RISK_SOURCES:
            raise ValueError(f"unknown risk source {source!r}; expected one of {RISK_SOURCES}")
        if source == "health" and self.health_calibration is None:
            raise ValueError("no health calibration to take churn risk from")
        return ChurnModel(
            self.estimator,
            self.config_version,
            self.feature_columns,
            {**self.metadata, **metadata, "risk_source": source},
            source,
            self.health_calibration,
        )


def reference_features(features: pd.DataFrame) -> dict[str, Any]:
    """The typical training row: numeric medians, the most common category."""
    reference: dict[str, Any] = {}
    for name in features.columns:
        column = features[name]
        if name in CATEGORICAL_FEATURES:
            mode = column.dropna().mode()
            if len(mode):
                reference[name] = str(mode.iloc[0])
        else:
            median = pd.to_numeric(column, errors="coerce").median()
            if pd.notna(median):
                reference[name] = float(median)
    return reference


def _label(name: str) -> str:
    return name.replace("_", " ")


def _number(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "none on record"
    number = float(value)
    if abs(number) >= 100 or number.is_integer():
        return f"{number:.0f}"
    return f"{number:.2f}"
