"""Job test fixtures: the real Slack client against the local fake Slack Web API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.db.session import make_session_factory
from bot.services import Services
from tests.conftest import make_settings
from tests.support.slack_api import FakeSlackApi


@pytest.fixture
def fake_slack_api() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        yield fake


def services_for(
    engine: Engine, tmp_path: Path, fake: FakeSlackApi, **overrides: object
) -> Services:
    """Services whose Slack client talks to ``fake`` (token, base URL) like production would."""
    values: dict[str, object] = {
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": "test-signing-secret",
        "SLACK_API_URL": fake.base_url,
        "CSBOT_QUIET_HOURS": "20:00-08:00",
        "CSBOT_CSM_DAILY_ALERT_BUDGET": 2,  # three DMs a run: within the per-channel burst
    }
    values.update(overrides)
    settings = make_settings(tmp_path, engine.url.render_as_string(hide_password=False), **values)
    return Services(settings=settings, engine=engine, session_factory=make_session_factory(engine))


@pytest.fixture
def slack_services(engine: Engine, tmp_path: Path, fake_slack_api: FakeSlackApi) -> Services:
    """On SQLite and PostgreSQL (through ``engine``)."""
    return services_for(engine, tmp_path, fake_slack_api)


@pytest.fixture
def sqlite_slack_services(
    sqlite_engine: Engine, tmp_path: Path, fake_slack_api: FakeSlackApi
) -> Services:
    return services_for(sqlite_engine, tmp_path, fake_slack_api)
