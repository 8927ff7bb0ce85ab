"""Job test fixtures: the real Slack client against the local fake Slack Web API.

The fake itself is the shared ``fake_slack`` fixture (``tests/support/slack_fixtures.py``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.services import Services
from tests.support.fake_slack import FakeSlackApi
from tests.support.slack_fixtures import SlackHarness, build_harness, slack_services_for

JOB_SETTINGS: dict[str, object] = {
    "CSBOT_QUIET_HOURS": "20:00-08:00",
    "CSBOT_CSM_DAILY_ALERT_BUDGET": 2,  # three DMs a run: within the per-channel burst
}


def services_for(
    engine: Engine, tmp_path: Path, fake: FakeSlackApi, **overrides: object
) -> Services:
    """Services whose Slack client talks to ``fake`` (token, base URL) like production would."""
    return slack_services_for(fake, tmp_path, engine, **{**JOB_SETTINGS, **overrides})


@pytest.fixture
def slack_services(engine: Engine, tmp_path: Path, fake_slack: FakeSlackApi) -> Services:
    """On SQLite and PostgreSQL (through ``engine``)."""
    return services_for(engine, tmp_path, fake_slack)


@pytest.fixture
def sqlite_slack_services(
    sqlite_engine: Engine, tmp_path: Path, fake_slack: FakeSlackApi
) -> Services:
    return services_for(sqlite_engine, tmp_path, fake_slack)


@pytest.fixture
def make_harness(
    fake_slack: FakeSlackApi, tmp_path: Path, sqlite_engine: Engine
) -> Callable[..., SlackHarness]:
    """``make_harness(**env)``: the real app on SQLite, wired to ``fake_slack``."""
    return functools.partial(build_harness, fake_slack, tmp_path, sqlite_engine)
