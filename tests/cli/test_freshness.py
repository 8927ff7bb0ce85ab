"""Staleness is about when a source was last loaded, per source: `csbot ask` and `csbot status`.

The clock is frozen at the world's NOW; each test sets when sources were loaded and
how old their newest rows are, then reads the answer's freshness line and the
status JSON — the same rule must decide both.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.db.models import SourceLoad
from tests.services.qa_world import ALICE, NOW, build_world
from tests.support.cli import invoke


@pytest.fixture
def world(engine: Engine, monkeypatch: pytest.MonkeyPatch, time_machine) -> Engine:
    build_world(engine)
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CSBOT_VISIBILITY", "own")
    monkeypatch.setenv("CSBOT_STALE_AFTER_HOURS", "48")
    time_machine.move_to(NOW, tick=False)
    return engine


def _loaded(engine: Engine, source: str, *, at: datetime, newest: datetime | None) -> None:
    with Session(engine) as session:
        load = session.get(SourceLoad, source)
        if load is None:
            session.add(SourceLoad(source=source, last_loaded_at=at, rows_loaded=5))
            session.flush()
            load = session.get(SourceLoad, source)
        load.last_loaded_at = at
        load.data_as_of = newest
        session.commit()


def _freshness_line(question: str) -> str:
    result = invoke("ask", question, "--as", ALICE, "--json")
    assert result.exit_code == 0, result.output
    blocks = json.loads(result.stdout)["blocks"]
    return blocks[-1]["elements"][0]["text"]


def _status() -> dict[str, dict[str, object]]:
    result = invoke("status", "--json")
    assert result.exit_code == 0, result.output
    return {item["source"]: item for item in json.loads(result.stdout)["sources"]}


def test_freshly_loaded_nps_with_old_responses_is_not_flagged(world: Engine) -> None:
    _loaded(world, "nps", at=NOW - timedelta(minutes=10), newest=NOW - timedelta(days=5))
    _loaded(world, "invoices", at=NOW - timedelta(minutes=10), newest=NOW - timedelta(days=30))

    line = _freshness_line("acme health")

    assert "NPS 5 days old" in line and "invoices 30 days old" in line
    assert "stale" not in line
    status = _status()
    assert status["nps"]["stale"] is False and status["nps"]["state"] == "fresh"
    assert status["invoices"]["stale"] is False


def test_usage_loaded_three_days_ago_with_a_48h_expectation_is_flagged(world: Engine) -> None:
    _loaded(world, "usage_daily", at=NOW - timedelta(days=3), newest=NOW - timedelta(days=3))

    line = _freshness_line("acme health")

    assert "usage 3 days old ⚠️ stale: last loaded 3 days ago (expected every 48 h)" in line
    assert "tickets 3 h old" in line and "tickets 3 h old ⚠️" not in line
    usage = _status()["usage_daily"]
    assert usage["stale"] is True and usage["state"] == "stale"
    assert usage["expected_every_hours"] == 48 and usage["hours_since_load"] == 72


def test_rare_sources_default_to_30_days_between_loads(world: Engine) -> None:
    _loaded(world, "nps", at=NOW - timedelta(days=20), newest=NOW - timedelta(days=25))
    _loaded(world, "invoices", at=NOW - timedelta(days=31), newest=NOW - timedelta(days=31))

    line = _freshness_line("acme health")

    assert "NPS 25 days old ·" in line  # loaded 20 days ago: within its 30 days
    assert "invoices 31 days old ⚠️ stale: last loaded 31 days ago (expected every 30 days)" in line
    status = _status()
    assert status["nps"]["expected_every_hours"] == 720 and status["nps"]["stale"] is False
    assert status["invoices"]["stale"] is True


def test_per_source_override_changes_the_expectation(
    world: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSBOT_STALE_AFTER_HOURS_BY_SOURCE", "nps_responses=24, usage_daily=100")
    _loaded(world, "nps", at=NOW - timedelta(days=2), newest=NOW - timedelta(days=2))
    _loaded(world, "usage_daily", at=NOW - timedelta(days=3), newest=NOW - timedelta(days=3))

    line = _freshness_line("acme health")

    assert "NPS 2 days old ⚠️ stale: last loaded 2 days ago (expected every 24 h)" in line
    assert "usage 3 days old ·" in line
    status = _status()
    assert status["nps"]["stale"] is True and status["nps"]["expected_every_hours"] == 24
    assert status["usage_daily"]["stale"] is False


def test_never_loaded_sources_are_named(world: Engine) -> None:
    """The world never loads invoices: status says so, the answer names it."""
    assert "invoices never loaded" in _freshness_line("acme health")
    invoices = _status()["invoices"]
    assert invoices["state"] == "never_loaded" and invoices["last_loaded_at"] is None
    assert invoices["hours_since_load"] is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nps=soon", "nps: 'soon' is not a number of hours"),
        ("nps=-5", "nps: hours must be a positive number"),
        ("surveys=24", "unknown source 'surveys'"),
        ("nps:24", "expected SOURCE=HOURS pairs"),
    ],
)
def test_a_bad_override_is_refused_at_start_up_with_the_variable_name(
    world: Engine, monkeypatch: pytest.MonkeyPatch, value: str, message: str
) -> None:
    monkeypatch.setenv("CSBOT_STALE_AFTER_HOURS_BY_SOURCE", value)
    result = invoke("status", "--json")
    assert result.exit_code == 2
    assert "CSBOT_STALE_AFTER_HOURS_BY_SOURCE" in result.stderr and message in result.stderr
    assert result.stdout == ""
