"""Expansion propensity 0-100: who is ready to buy more.

Accounts that use more of what they bought, use it more broadly, recommend it and are
healthy going into renewal are the ones expansion conversations land with. Each signal
is scored 0-100 and combined with the configured weights, renormalised over the signals
that have data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.config import HealthConfig


def expansion_propensity(
    measures: pd.DataFrame, measure_scores: pd.DataFrame, health: pd.Series, config: HealthConfig
) -> pd.Series:
    """Expansion propensity per row, rounded to 0.1; NaN never (health always exists)."""
    nps = measures["nps_latest"]
    promoter = pd.Series(np.where(nps >= 9, 100.0, np.where(nps >= 7, 50.0, 0.0)), index=nps.index)
    signals = pd.DataFrame(
        {
            "usage_growth": measure_scores["active_users_trend"],
            # Seats nearly full is the classic upsell trigger, so utilisation is scored on
            # its own scale (0 at half the seats, 100 at all of them) rather than health's.
            "seat_utilisation": ((measures["seat_utilisation"] - 0.5) / 0.5).clip(0, 1) * 100,
            "feature_adoption": measure_scores["feature_adoption"],
            "promoter_nps": promoter.where(nps.notna()),
            "renewal_health": health.astype("float64"),
        },
        index=measures.index,
    )
    weights = pd.Series(config.expansion.weights)[signals.columns]
    available = signals.notna().mul(weights, axis=1)
    total = available.sum(axis=1)
    weighted = signals.fillna(0.0).mul(weights, axis=1).sum(axis=1)
    return (weighted / total.replace(0.0, np.nan)).fillna(0.0).round(1)
