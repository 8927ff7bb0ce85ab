"""Lifecycle stage rules (ordered, explicit) and expansion propensity."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.config import load_health_config
from scoring.portfolio import score_accounts
from scoring.stage import lifecycle_stage
from tests.scoring.factories import aggregate_row, aggregates

CONFIG = load_health_config()


def test_stage_rules_apply_in_order_risk_first():
    frame = pd.DataFrame(
        {
            "band": ["red", "yellow", "green", "green", "green", "yellow", "green"],
            "churn_risk": [0.1, 0.8, 0.8, 0.1, 0.1, 0.1, float("nan")],
            "tenure_days": [30.0, 30.0, 30.0, 30.0, 400.0, 400.0, 400.0],
            "days_to_renewal": [20.0, 20.0, 20.0, 20.0, 20.0, 200.0, 200.0],
            "expansion": [90.0, 90.0, 90.0, 90.0, 90.0, 80.0, 10.0],
        }
    )
    stages = lifecycle_stage(config=CONFIG, **{name: frame[name] for name in frame})
    assert stages.tolist() == [
        "at-risk",  # red, whatever the model says
        "at-risk",  # yellow with a high churn risk
        "onboarding",  # green is never at-risk: the stage must not contradict the band
        "onboarding",
        "renewal",
        "growth",
        "adoption",
    ]


@settings(max_examples=80, deadline=None)
@given(
    band=st.sampled_from(["red", "yellow", "green"]),
    churn_risk=st.floats(min_value=0, max_value=1),
    tenure=st.floats(min_value=0, max_value=2000),
    renewal=st.floats(min_value=-30, max_value=400),
    expansion=st.floats(min_value=0, max_value=100),
)
def test_at_risk_stage_always_agrees_with_band_and_churn_risk(
    band, churn_risk, tenure, renewal, expansion
):
    stage = lifecycle_stage(
        band=pd.Series([band]),
        churn_risk=pd.Series([churn_risk]),
        tenure_days=pd.Series([tenure]),
        days_to_renewal=pd.Series([renewal]),
        expansion=pd.Series([expansion]),
        config=CONFIG,
    ).iat[0]
    likely = churn_risk >= CONFIG.stages.at_risk_churn_risk
    assert (stage == "at-risk") == (band == "red" or (band == "yellow" and likely))


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


def test_model_risk_makes_a_yellow_account_at_risk_and_its_drivers_name_only_risks():
    from scoring.churn_model import ChurnModel
    from scoring.features import model_feature_frame
    from scoring.measures import derive_measures

    # Usage down 26%, a detractor NPS; invoices, support and contact all fine.
    slipping = aggregate_row("SLIPPING", nps_latest=2.0, active_users_sum_30d=30 * 25.0)
    healthy = aggregate_row("HEALTHY", nps_latest=2.0)  # only the NPS is bad: still green
    frame = aggregates(slipping, healthy)
    columns = tuple(model_feature_frame(derive_measures(frame), CONFIG).columns)
    risky = ChurnModel(_ConstantRisk(0.9), CONFIG.version, columns)
    calm = ChurnModel(_ConstantRisk(0.1), CONFIG.version, columns)
    scored = score_accounts(frame, CONFIG, churn_model=risky)
    scores = scored.scores.set_index("account_id")
    assert scores.loc["SLIPPING", "band"] == "yellow"
    assert scores.loc["SLIPPING", "stage"] == "at-risk"
    assert scores.loc["HEALTHY", "band"] == "green"
    assert scores.loc["HEALTHY", "stage"] != "at-risk"  # 0.9 churn risk, but green

    drivers = scored.drivers[scored.drivers["account_id"] == "SLIPPING"]
    assert set(drivers["direction"]) == {"negative"}  # a risky account lists no strengths
    assert drivers["text"].iat[0].startswith("latest NPS 2 (detractor)")
    assert "active users down 26% vs the prior 30 days" in drivers["text"].tolist()
    assert not drivers["text"].str.contains("paid on time|no failed").any()

    relaxed = score_accounts(frame, CONFIG, churn_model=calm).scores.set_index("account_id")
    assert relaxed.loc["SLIPPING", "band"] == "yellow"
    assert relaxed.loc["SLIPPING", "stage"] != "at-risk"  # yellow, but the model is calm
    green = score_accounts(aggregates(healthy), CONFIG).drivers
    assert green["direction"].iat[0] == "positive"  # a green account leads with its strengths


def test_drivers_of_a_red_account_spread_over_its_weak_components():
    collapsed = aggregate_row(
        "COLLAPSED",
        active_users_sum_30d=30 * 8.0,
        logins_sum_30d=30 * 8.0,
        nps_latest=1.0,
        failed_invoices_180d=2.0,
        first_failed_invoice_at=pd.Timestamp("2025-05-03"),
        last_interaction_at=pd.Timestamp("2024-12-01"),
        last_champion_touch_at=pd.Timestamp("2024-12-01"),
        last_executive_touch_at=None,
    )
    scored = score_accounts(aggregates(collapsed), CONFIG)
    assert scored.scores["band"].iat[0] == "red"
    drivers = scored.drivers
    assert set(drivers["direction"]) == {"negative"}
    assert drivers["component"].value_counts().max() <= 2
    assert {"usage", "relationship", "survey"} <= set(drivers["component"])


def test_a_third_weak_measure_of_one_component_waits_behind_other_components():
    # Nobody at the account heard from in months (three relationship measures at 0) and
    # active users down 40%: the usage fall is named before the third relationship age.
    quiet = aggregate_row(
        "QUIET",
        active_users_sum_30d=30 * 20.0,
        last_interaction_at=pd.Timestamp("2024-11-01"),
        last_champion_touch_at=pd.Timestamp("2024-11-01"),
        last_executive_touch_at=None,
    )
    drivers = score_accounts(aggregates(quiet), CONFIG).drivers.set_index("measure")
    executive, usage_fall = (
        drivers.loc["days_since_executive_touch"],
        drivers.loc["active_users_trend"],
    )
    assert executive["impact"] < usage_fall["impact"]  # it costs more points ...
    assert usage_fall["rank"] < executive["rank"]  # ... yet the usage fall is named first
