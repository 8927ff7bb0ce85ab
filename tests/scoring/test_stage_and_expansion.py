"""Lifecycle stage rules (ordered, explicit) and expansion propensity."""

from __future__ import annotations

import pandas as pd

from scoring.config import load_health_config
from scoring.portfolio import score_accounts
from scoring.stage import lifecycle_stage
from tests.scoring.factories import aggregate_row, aggregates

CONFIG = load_health_config()


def test_stage_rules_apply_in_order_risk_first():
    frame = pd.DataFrame(
        {
            "band": ["red", "green", "green", "green", "yellow", "green"],
            "churn_risk": [0.1, 0.8, 0.1, 0.1, 0.1, float("nan")],
            "tenure_days": [30.0, 30.0, 30.0, 400.0, 400.0, 400.0],
            "days_to_renewal": [20.0, 20.0, 20.0, 20.0, 200.0, 200.0],
            "expansion": [90.0, 90.0, 90.0, 90.0, 80.0, 10.0],
        }
    )
    stages = lifecycle_stage(config=CONFIG, **{name: frame[name] for name in frame})
    assert stages.tolist() == ["at-risk", "at-risk", "onboarding", "renewal", "growth", "adoption"]


def test_expansion_rises_with_full_seats_growth_and_promoters():
    ready = aggregate_row(
        "READY",
        active_users_sum_30d=30 * 49.0,
        active_users_sum_prev_30d=30 * 40.0,
        features_used_sum_30d=30 * 7.0,
        nps_latest=10.0,
    )
    cold = aggregate_row(
        "COLD",
        active_users_sum_30d=30 * 15.0,
        active_users_sum_prev_30d=30 * 20.0,
        features_used_sum_30d=30 * 1.0,
        nps_latest=3.0,
    )
    scores = score_accounts(aggregates(ready, cold), CONFIG).scores.set_index("account_id")
    assert scores.loc["READY", "expansion"] > 80 > 30 > scores.loc["COLD", "expansion"]
    assert scores.loc["READY", "stage"] == "growth"
