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


class _ConstantRisk:
    """A stand-in estimator: every account gets the same churn probability."""

    def __init__(self, probability: float) -> None:
        self.probability = probability

    def predict_proba(self, features: pd.DataFrame):
        import numpy as np

        return np.column_stack(
            [np.full(len(features), 1 - self.probability), np.full(len(features), self.probability)]
        )


def test_green_account_at_risk_by_the_model_leads_with_what_pulls_it_down():
    from scoring.churn_model import ChurnModel
    from scoring.features import model_feature_frame
    from scoring.measures import derive_measures

    row = aggregate_row("MIXED", nps_latest=2.0)  # healthy usage, a detractor NPS
    columns = tuple(model_feature_frame(derive_measures(aggregates(row)), CONFIG).columns)
    risky = ChurnModel(_ConstantRisk(0.9), CONFIG.version, columns)
    calm = ChurnModel(_ConstantRisk(0.1), CONFIG.version, columns)
    at_risk = score_accounts(aggregates(row), CONFIG, churn_model=risky)
    fine = score_accounts(aggregates(row), CONFIG, churn_model=calm)
    assert at_risk.scores["band"].iat[0] == "green" and at_risk.scores["stage"].iat[0] == "at-risk"
    assert at_risk.drivers["direction"].iat[0] == "negative"
    assert "latest NPS 2 (detractor)" in at_risk.drivers["text"].iat[0]
    assert fine.drivers["direction"].iat[0] == "positive"
