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
