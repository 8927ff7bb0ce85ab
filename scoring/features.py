"""The churn model's feature frame, built from the same measures the health score uses.

Split from training and prediction (house style 12) so both call exactly this. Ages
"never on record" are capped so a linear model is not dominated by a sentinel, and ARR
is logged because a 10x bigger account is not 10x more (or less) likely to churn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.config import HealthConfig

DAYS_CAP = 400.0
CATEGORICAL_FEATURES: tuple[str, ...] = ("segment",)
EXTRA_NUMERIC_FEATURES: tuple[str, ...] = ("log_arr", "tenure_days", "days_to_renewal")


def numeric_feature_names(config: HealthConfig) -> tuple[str, ...]:
    return tuple(config.measure_rules()) + EXTRA_NUMERIC_FEATURES


def model_feature_frame(measures: pd.DataFrame, config: HealthConfig) -> pd.DataFrame:
    """One row per measures row: every health measure, log ARR, tenure, lead time, segment."""
    frame = pd.DataFrame(index=measures.index)
    for name in config.measure_rules():
        values = measures[name].astype("float64")
        if name.startswith("days_since_"):
            values = values.clip(upper=DAYS_CAP)
        frame[name] = values
    frame["log_arr"] = np.log1p(measures["account_arr"].astype("float64").clip(lower=0))
    frame["tenure_days"] = measures["tenure_days"].astype("float64").clip(lower=0, upper=3650)
    # Lead time: the same usage dip means more 20 days before a renewal than 300 days.
    frame["days_to_renewal"] = measures["days_to_renewal"].astype("float64").clip(0, DAYS_CAP)
    frame["segment"] = measures["segment"].fillna("unknown").astype(str)
    return frame
