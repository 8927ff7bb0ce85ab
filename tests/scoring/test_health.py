"""The rule-based health: renormalisation, bands, hysteresis and monotone behaviour."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.config import (
    COMPONENTS,
    CONFIG_DIR,
    HealthConfig,
    HealthConfigError,
    config_for_version,
    load_health_config,
)
from scoring.health import apply_hysteresis, band_of, overall_health
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
    # Each present component weighs its configured weight, raised for weakness; the
    # missing one weighs nothing (the rest are renormalised).
    boost = CONFIG.weak_component_boost
    weights = {
        c: w * (1 + boost * (100 - no_survey.loc[0, c]) / 100)
        for c, w in CONFIG.component_weights.items()
        if c != "survey"
    }
    expected = sum(no_survey.loc[0, c] * w for c, w in weights.items()) / sum(weights.values())
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
    seat = raw["components"]["usage"]["measures"]["seat_utilisation"]
    seat["good"] = seat["bad"]
    text.write_text(yaml.safe_dump(raw))
    with pytest.raises(HealthConfigError, match="bad.yaml.*seat_utilisation"):
        load_health_config(CONFIG_PATH)


def test_config_is_versioned():
    assert isinstance(CONFIG, HealthConfig) and CONFIG.version == "health_v2"
    assert CONFIG.component_weights == {
        "usage": 30,
        "relationship": 25,
        "support": 20,
        "financial": 15,
        "survey": 10,
    }


def test_every_packaged_version_stays_loadable_and_the_newest_is_the_default():
    files = sorted(CONFIG_DIR.glob("health_v*.yaml"), key=lambda p: int(p.stem.split("_v")[1]))
    assert [p.stem for p in files][:2] == ["health_v1", "health_v2"]
    for path in files:
        assert load_health_config(path).version == path.stem  # the file name is the version
    assert CONFIG.version == files[-1].stem
    v1 = config_for_version("health_v1")
    assert v1.weak_component_boost == 0 and v1.segment_bounds == {}  # v1 scores as it did
    assert v1.churn_model.horizon_days == 30
    with pytest.raises(HealthConfigError, match="no packaged health config 'health_v0'"):
        config_for_version("health_v0")


def test_segment_bounds_judge_contact_recency_by_coverage_model():
    rows = [
        aggregate_row(segment, segment=segment, last_interaction_at=pd.Timestamp("2025-04-02"))
        for segment in ("enterprise", "mid-market", "smb")
    ]  # 60 days since the last interaction for all three
    scores = score_accounts(aggregates(*rows), CONFIG).measure_scores["days_since_interaction"]
    enterprise, mid_market, smb = scores.tolist()
    assert enterprise == 0.0  # high touch: two months of silence is the bad end
    assert 0.0 < mid_market < 100.0
    assert smb == 100.0  # tech touch: a call every couple of months is normal


def test_segment_bounds_naming_an_unknown_measure_are_refused(tmp_path):
    import yaml

    raw = CONFIG.model_dump()
    raw["segment_bounds"] = {"smb": {"days_since_lunch": {"bad": 1, "good": 2}}}
    path = tmp_path / "typo.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(HealthConfigError, match="typo.yaml.*days_since_lunch"):
        load_health_config(path)


def test_a_collapsed_component_is_not_averaged_away():
    # Usage collapsed; contact, support and invoices spotless; detractor NPS.
    collapsed = aggregate_row(
        "C",
        active_users_sum_30d=30 * 4.0,
        logins_sum_30d=30 * 4.0,
        features_used_sum_30d=30 * 1.0,
        nps_latest=3.0,
    )
    row = _score(collapsed).iloc[0]
    plain = sum(row[c] * w for c, w in CONFIG.component_weights.items()) / 100
    assert row["usage"] < 10 and row["relationship"] > 90
    assert row["health"] < plain - 5  # weak components weigh more than their share
    assert row["band"] != "green"


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


component_scores_strategy = st.floats(min_value=0, max_value=100)


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), component_scores_strategy), min_size=5, max_size=5).filter(
        lambda v: any(x is not None for x in v)
    ),
    which=st.integers(min_value=0, max_value=4),
    raise_by=st.floats(min_value=0.01, max_value=100),
)
def test_raising_any_component_never_lowers_health(values, which, raise_by):
    if values[which] is None:
        values[which] = 0.0
    better = list(values)
    better[which] = min(100.0, values[which] + raise_by)
    frame = pd.DataFrame(
        [[math.nan if v is None else v for v in row] for row in (values, better)],
        columns=list(COMPONENTS),
    )
    before, after = overall_health(frame, CONFIG)["health"]
    assert after >= before  # rounding to 0.1 is monotone too


def test_money_in_drivers_is_in_the_accounts_own_currency():
    """A euro account's contract driver quotes euros; a row without a currency is USD."""
    from scoring.drivers import driver_texts
    from scoring.measures import derive_measures

    rows = aggregates(
        aggregate_row(
            "EURO", currency="eur", contract_arr=90_000.0, previous_contract_arr=60_000.0
        ),
        aggregate_row(
            "FRANC", currency="CHF", contract_arr=5_000.0, previous_contract_arr=10_000.0
        ),
        aggregate_row("PLAIN", contract_arr=120_000.0, previous_contract_arr=100_000.0),
    )
    growth = driver_texts(derive_measures(rows))["contract_growth"]
    assert list(growth) == [
        "contract ARR up 50% vs the previous contract (€60,000 → €90,000)",
        "contract ARR down 50% vs the previous contract (CHF 10,000 → CHF 5,000)",
        "contract ARR up 20% vs the previous contract ($100,000 → $120,000)",
    ]
