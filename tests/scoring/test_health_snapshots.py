"""Snapshot upserts on both backends: JSON given as text or as values, replaced by key."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.db.health_snapshots import previous_bands, upsert_health_snapshots
from bot.db.models import HealthScore
from bot.db.session import make_session_factory, unit_of_work
from tests.scoring.store import add_account, add_csm


def _row(day: date, band: str, components: object, drivers: object) -> dict:
    return {
        "account_id": "A1",
        "as_of": day,
        "score": 55.0,
        "band": band,
        "computed_band": band,
        "components": components,
        "drivers": drivers,
        "missing_components": ["survey"] if isinstance(components, dict) else '["survey"]',
        "churn_risk": None,
        "expansion": 40.0,
        "stage": "adoption",
        "config_version": "health_v1",
        "computed_at": datetime(2025, 6, 1, tzinfo=UTC),
    }


def test_upsert_accepts_json_text_or_values_and_replaces_by_key(engine):
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        add_csm(session)
        add_account(session, "A1")
    usage = {"usage": {"score": 61.5, "weight": 0.3, "measures": {"seat_utilisation": 0.5}}}
    driver = [
        {
            "text": 'a "quoted" → driver',
            "component": "usage",
            "measure": "m",
            "direction": "negative",
            "value": -0.42,
        }
    ]
    with unit_of_work(factory) as session:
        upsert_health_snapshots(
            session=session, rows=[_row(date(2025, 6, 1), "yellow", usage, driver)]
        )
        upsert_health_snapshots(
            session=session,
            rows=[_row(date(2025, 6, 2), "red", json.dumps(usage), json.dumps(driver))],
        )
    with unit_of_work(factory) as session:
        upsert_health_snapshots(session=session, rows=[_row(date(2025, 6, 2), "green", usage, [])])
    with unit_of_work(factory) as session:
        rows = session.scalars(select(HealthScore).order_by(HealthScore.as_of)).all()
        assert [(r.as_of.day, r.band) for r in rows] == [(1, "yellow"), (2, "green")]
        assert rows[0].components == usage and rows[0].drivers == driver
        assert rows[0].missing_components == ["survey"] and rows[1].drivers == []
        assert previous_bands(session=session, before=date(2025, 6, 2)).to_dict() == {
            "A1": "yellow"
        }


def test_scoring_holds_yesterdays_band_inside_the_hysteresis_margin(engine, tmp_path):
    from bot.services import Services
    from bot.services.health.runs import score_portfolio
    from scoring.config import load_health_config
    from tests.conftest import make_settings
    from tests.scoring.store import AS_OF, seed_small_portfolio

    factory = make_session_factory(engine)
    services = Services(
        settings=make_settings(tmp_path, engine.url.render_as_string(hide_password=False)),
        engine=engine,
        session_factory=factory,
    )
    with unit_of_work(factory) as session:
        seed_small_portfolio(session)
        upsert_health_snapshots(
            session=session,
            rows=[{**_row(date(2025, 5, 31), "yellow", {}, []), "account_id": "HEALTHY"}],
        )
    wide = load_health_config().model_copy(update={"hysteresis_margin": 29.9})
    held = score_portfolio(services, AS_OF, config=wide, train_if_missing=False)
    healthy = held.portfolio.scores.set_index("account_id").loc["HEALTHY"]
    assert healthy["computed_band"] == "green" and healthy["health"] < 70 + 29.9
    assert healthy["band"] == "yellow"
    plain = score_portfolio(services, AS_OF, train_if_missing=False)
    assert plain.portfolio.scores.set_index("account_id").loc["HEALTHY", "band"] == "green"
