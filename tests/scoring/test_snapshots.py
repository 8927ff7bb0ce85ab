"""The snapshot JSON text parses to exactly the shape readers rely on."""

from __future__ import annotations

import json
import math

import pandas as pd

from scoring.config import COMPONENTS, load_health_config
from scoring.portfolio import score_accounts
from scoring.snapshots import snapshot_frame
from tests.scoring.factories import aggregate_row, aggregates, bare_account

CONFIG = load_health_config()


def test_snapshot_json_matches_the_scores_it_came_from():
    tricky = aggregate_row("QUOTE", nps_latest=None, nps_latest_at=None)
    portfolio = score_accounts(aggregates(aggregate_row("A"), tricky, bare_account()), CONFIG)
    frame = snapshot_frame(portfolio, CONFIG).set_index("account_id")
    for position, account_id in enumerate(portfolio.scores["account_id"]):
        components = json.loads(frame.loc[account_id, "components"])
        assert list(components) == list(COMPONENTS)
        for name in COMPONENTS:
            expected = portfolio.components[name].iat[position]
            stored = components[name]["score"]
            assert (stored is None) if math.isnan(expected) else stored == round(expected, 1)
            assert components[name]["weight"] == round(CONFIG.component_weights[name] / 100, 4)
            assert set(components[name]["measures"]) == set(CONFIG.components[name].measures)
        drivers = json.loads(frame.loc[account_id, "drivers"])
        mine = portfolio.drivers[portfolio.drivers["account_id"] == account_id]
        assert [d["text"] for d in drivers] == list(mine["text"])
        assert all(
            set(d) == {"text", "component", "measure", "direction", "value"} for d in drivers
        )
        missing = json.loads(frame.loc[account_id, "missing_components"])
        assert missing == list(portfolio.scores["missing_components"].iat[position])
    quote = json.loads(frame.loc["QUOTE", "components"])
    assert quote["survey"] == {
        "score": None,
        "weight": 0.1,
        "effective_weight": 0.0,  # no data: no say in the score
        "points": None,
        "measures": {"nps_latest": None},
    }
    assert json.loads(frame.loc["EMPTY", "drivers"])[0]["component"] is None
    assert pd.isna(frame.loc["A", "churn_risk"])


def test_driver_text_needing_escapes_still_yields_valid_json():
    from dataclasses import replace

    from scoring.snapshots import drivers_json

    portfolio = score_accounts(aggregates(aggregate_row("A")), CONFIG)
    drivers = portfolio.drivers.copy()
    drivers.loc[0, "text"] = 'the "champion" left\\ today\n'
    listed = json.loads(drivers_json(replace(portfolio, drivers=drivers)).iat[0])
    assert listed[0]["text"] == 'the "champion" left\\ today\n'


def test_stored_points_add_up_to_the_score_under_the_weak_component_boost():
    """The effective weights (not the configured ones) reproduce the stored score."""
    assert CONFIG.weak_component_boost > 0  # otherwise this test proves nothing
    weak = aggregate_row("WEAK", active_users_sum_30d=0.0, logins_sum_30d=0.0)
    portfolio = score_accounts(aggregates(aggregate_row("A"), weak), CONFIG)
    frame = snapshot_frame(portfolio, CONFIG).set_index("account_id")
    for account_id in ("A", "WEAK"):
        components = json.loads(frame.loc[account_id, "components"]).values()
        score = frame.loc[account_id, "score"]
        points = sum(c["points"] for c in components if c["points"] is not None)
        assert abs(points - score) <= 0.05 + 0.005 * len(COMPONENTS)
        shares = [c["effective_weight"] for c in components]
        assert abs(sum(shares) - 1) < 1e-3
        configured = sum(c["score"] * c["weight"] for c in components if c["score"] is not None)
        if account_id == "WEAK":  # the configured weights alone would not give the score
            assert abs(configured / sum(c["weight"] for c in components) - score) > 1
