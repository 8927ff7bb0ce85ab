"""The rule-based health: renormalisation, bands, hysteresis and monotone behaviour."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.config import HealthConfig, HealthConfigError, load_health_config
from scoring.health import apply_hysteresis, band_of
from scoring.portfolio import score_accounts
from tests.scoring.factories import aggregate_row, aggregates, bare_account

CONFIG = load_health_config()


def _score(*rows: dict) -> pd.DataFrame:
    result = score_accounts(aggregates(*rows), CONFIG)
    return pd.concat([result.scores, result.components.drop(columns="account_id")], axis=1)


def test_component_with_no_data_is_left_out_and_weights_renormalised():
    full = _score(aggregate_row("FULL"))
    no_survey = _score(aggregate_row("NOSURVEY", nps_latest=None, nps_latest_at=None))
    assert full.loc[0, "missing_components"] == []
    assert no_survey.loc[0, "missing_components"] == ["survey"]
    assert math.isnan(no_survey.loc[0, "survey"])
    weights = CONFIG.component_weights
    expected = sum(no_survey.loc[0, c] * weights[c] for c in weights if c != "survey") / (
        sum(weights.values()) - weights["survey"]
    )
    assert no_survey.loc[0, "health"] == pytest.approx(expected, abs=0.05)


def test_account_with_no_data_anywhere_gets_the_neutral_score_and_says_so():
    result = score_accounts(aggregates(bare_account()), CONFIG)
    row = result.scores.iloc[0]
    assert row["health"] == CONFIG.no_data_score and bool(row["no_data"])
    assert row["missing_components"] == ["usage", "relationship", "support", "financial", "survey"]
    assert (
        "no usage, relationship, support, financial or survey data"
        in result.drivers["text"].iloc[0]
    )


def test_usage_that_stopped_is_not_missing_data_but_scores_low():
    stopped = _score(
        aggregate_row(
            "STOP", active_users_sum_30d=0.0, logins_sum_30d=0.0, features_used_sum_30d=0.0
        )
    )
    assert "usage" not in stopped.loc[0, "missing_components"]
    assert stopped.loc[0, "usage"] == 0.0


def test_bands_follow_the_configured_boundaries():
    health = pd.Series([0.0, 39.9, 40.0, 69.9, 70.0, 100.0])
    assert band_of(health, CONFIG).tolist() == ["red", "red", "yellow", "yellow", "green", "green"]


def test_hysteresis_holds_the_previous_band_inside_the_margin():
    margin = CONFIG.hysteresis_margin
    health = pd.Series([70.5, 70.0 + margin + 0.1, 38.0, 40.0 - margin - 0.1, 55.0, 71.0])
    computed = band_of(health, CONFIG)
    previous = pd.Series(["yellow", "yellow", "yellow", "yellow", None, "green"])
    final = apply_hysteresis(health, computed, previous, CONFIG)
    assert final.tolist() == ["yellow", "green", "yellow", "red", "yellow", "green"]


def test_hysteresis_through_score_accounts_uses_previous_band_by_account():
    row = aggregate_row("EDGE")
    plain = score_accounts(aggregates(row), CONFIG).scores.iloc[0]
    held = score_accounts(
        aggregates(row), CONFIG, previous_bands=pd.Series({"EDGE": "yellow"})
    ).scores.iloc[0]
    assert plain["band"] == plain["computed_band"] == "green"
    if plain["health"] < CONFIG.bands.green_from + CONFIG.hysteresis_margin:
        assert held["band"] == "yellow"
    else:
        assert held["band"] == "green" and held["computed_band"] == "green"


def test_bad_config_fails_naming_the_file_and_field(tmp_path):
    text = (CONFIG_PATH := tmp_path / "bad.yaml")
    import yaml

    raw = CONFIG.model_dump()
    raw["components"]["usage"]["measures"]["seat_utilisation"]["good"] = 0.2  # == bad
    text.write_text(yaml.safe_dump(raw))
    with pytest.raises(HealthConfigError, match="bad.yaml.*seat_utilisation"):
        load_health_config(CONFIG_PATH)


def test_config_is_versioned():
    assert isinstance(CONFIG, HealthConfig) and CONFIG.version == "health_v1"
    assert CONFIG.component_weights == {
        "usage": 30,
        "relationship": 25,
        "support": 20,
        "financial": 15,
        "survey": 10,
    }


# ------------------------------------------------------------------- monotone properties
counts = st.integers(min_value=0, max_value=400)


@settings(max_examples=60, deadline=None)
@given(
    seats=st.integers(min_value=1, max_value=500),
    users_now=st.integers(min_value=0, max_value=600),
    users_before=st.integers(min_value=0, max_value=600),
    extra=st.integers(min_value=1, max_value=300),
    logins=counts,
    features=st.integers(min_value=0, max_value=20),
)
def test_more_active_users_never_lowers_the_usage_component(
    seats, users_now, users_before, extra, logins, features
):
    base = dict(
        licensed_seats=float(seats),
        active_users_sum_30d=30.0 * users_now,
        active_users_sum_prev_30d=30.0 * users_before,
        logins_sum_30d=30.0 * logins,
        features_used_sum_30d=30.0 * features,
    )
    more = dict(base, active_users_sum_30d=30.0 * (users_now + extra))
    before, after = _score(aggregate_row("A", **base), aggregate_row("B", **more))["usage"]
    assert after >= before - 1e-9


@settings(max_examples=60, deadline=None)
@given(
    invoices=st.integers(min_value=0, max_value=30),
    due=st.integers(min_value=0, max_value=12),
    on_time_share=st.floats(min_value=0, max_value=1),
    failed=st.integers(min_value=0, max_value=5),
    contracts=st.integers(min_value=0, max_value=3),
    growth=st.floats(min_value=-0.5, max_value=0.5),
    new_invoice_is_due=st.booleans(),
)
def test_a_failed_invoice_never_raises_the_financial_component(
    invoices, due, on_time_share, failed, contracts, growth, new_invoice_is_due
):
    due = min(due, invoices)
    on_time = math.floor(due * on_time_share)
    failed = min(failed, invoices)
    base = dict(
        invoices_ever=float(invoices),
        invoices_due_365d=float(due),
        invoices_on_time_365d=float(on_time),
        failed_invoices_180d=float(failed),
        first_failed_invoice_at=pd.Timestamp("2025-05-03") if failed else None,
        contracts_ever=float(contracts),
        contract_arr=50_000.0 if contracts else None,
        previous_contract_arr=50_000.0 / (1 + growth) if contracts > 1 else None,
    )
    # The same account, one failed invoice later (due and unpaid, or failed at charge).
    worse = dict(
        base,
        invoices_ever=invoices + 1.0,
        invoices_due_365d=due + (1.0 if new_invoice_is_due else 0.0),
        failed_invoices_180d=failed + 1.0,
        first_failed_invoice_at=pd.Timestamp("2025-05-03"),
    )
    before, after = _score(aggregate_row("A", **base), aggregate_row("B", **worse))["financial"]
    assert not math.isnan(after)
    if not math.isnan(before):
        assert after <= before + 1e-9
