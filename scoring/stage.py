"""Lifecycle stage from explicit, ordered rules (the first rule that matches wins).

1. at-risk: the band is red, or the band is yellow and the churn risk is at or above the
   configured level. A green account is never at-risk: a stage that contradicts the band
   on the same card leaves a CSM trusting neither (the churn risk is still shown);
2. onboarding: a customer for fewer than ``onboarding_days``;
3. renewal: the current contract ends within ``renewal_window_days``;
4. growth: expansion propensity at or above ``growth_min_expansion``;
5. adoption: everyone else.
Risk comes first because a red account in its renewal window needs a save plan, not a
renewal reminder.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.config import HealthConfig

STAGES: tuple[str, ...] = ("onboarding", "adoption", "growth", "renewal", "at-risk")


def lifecycle_stage(
    *,
    band: pd.Series,
    churn_risk: pd.Series,
    tenure_days: pd.Series,
    days_to_renewal: pd.Series,
    expansion: pd.Series,
    config: HealthConfig,
) -> pd.Series:
    rules = config.stages
    likely_to_churn = churn_risk.fillna(0.0) >= rules.at_risk_churn_risk
    at_risk = (band == "red") | ((band == "yellow") & likely_to_churn)
    onboarding = tenure_days.notna() & (tenure_days < rules.onboarding_days)
    renewal = days_to_renewal.notna() & (days_to_renewal >= 0)
    renewal &= days_to_renewal <= rules.renewal_window_days
    growth = expansion >= rules.growth_min_expansion
    stage = np.select(
        [at_risk, onboarding, renewal, growth],
        ["at-risk", "onboarding", "renewal", "growth"],
        default="adoption",
    )
    return pd.Series(stage, index=band.index, dtype="object")
