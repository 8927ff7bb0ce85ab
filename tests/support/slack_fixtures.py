"""Pytest fixtures for the offline Slack harness (loaded by ``tests/conftest.py``).

* ``fake_slack`` — a started :class:`~tests.support.fake_slack.FakeSlackApi`;
* ``slack_settings_for(fake, tmp_path, url, **env)`` — settings pointing every Slack client
  at it; ``slack_services_for(fake, tmp_path, engine, **env)`` — services with those settings;
* ``slack_harness`` (SQLite and PostgreSQL) / ``sqlite_slack_harness`` — a real
  ``create_app`` app on a migrated store, plus helpers that send signed requests.

Harness apps use ``process_before_response=True`` so ``dispatch`` returns after the
listener ran: tests assert without sleeping. Tests of the ack-first behaviour build
their own app with the default (``False``) and wait on the fake instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App, BoltResponse
from sqlalchemy import Engine

from bot.db.session import make_session_factory
from bot.services import Services
from bot.settings import Settings
from tests.support.fake_slack import FakeSlackApi
from tests.support.slack_requests import (
    SIGNING_SECRET,
    SlackPayload,
    app_mention_event,
    block_actions,
    event_payload,
    message_event,
    signed_request,
    slash_command,
)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as fake:
        yield fake


def slack_settings_for(
    fake: FakeSlackApi, tmp_path: Path, database_url: str, **env: object
) -> Settings:
    """Settings for an app and jobs that talk only to ``fake`` (env names as keys)."""
    values: dict[str, object] = {
        "CSBOT_DATA_DIR": tmp_path / "var",
        "CSBOT_DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_APP_TOKEN": fake.app_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.base_url,
    }
    values.update(env)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def services_for(settings: Settings, engine: Engine) -> Services:
    return Services(settings=settings, engine=engine, session_factory=make_session_factory(engine))


def slack_services_for(
    fake: FakeSlackApi, tmp_path: Path, engine: Engine, **env: object
) -> Services:
    """Services on ``engine`` whose settings (``.settings``) point every Slack client at ``fake``."""
    url = engine.url.render_as_string(hide_password=False)
    return services_for(slack_settings_for(fake, tmp_path, url, **env), engine)


@dataclass
class SlackHarness:
    """A real app on a real store, wired to the fake Slack API."""

    fake: FakeSlackApi
    services: Services
    app: App
    bot_user_id: str

    def dispatch(self, payload: SlackPayload, **signing: Any) -> BoltResponse:
        return self.app.dispatch(signed_request(payload, **signing))

    def dm(self, text: str, *, user: str = "U111", **event: Any) -> BoltResponse:
        channel = event.pop("channel", "D" + user)
        return self.dispatch(
            event_payload(message_event(text, user=user, channel=channel, **event))
        )

    def mention(
        self, text: str, *, user: str = "U111", channel: str = "C111", **event: Any
    ) -> BoltResponse:
        body = f"<@{self.bot_user_id}> {text}"
        return self.dispatch(
            event_payload(app_mention_event(body, user=user, channel=channel, **event))
        )

    def command(
        self, command: str, text: str = "", *, user: str = "U111", channel: str = "C111"
    ) -> tuple[BoltResponse, str]:
        """Run a slash command; returns the ack response and the command's response_url."""
        response_url = self.fake.response_url()
        response = self.dispatch(
            slash_command(
                command, text, user_id=user, channel_id=channel, response_url=response_url
            )
        )
        return response, response_url

    def click(self, action_id: str, value: str | None, **kwargs: Any) -> BoltResponse:
        kwargs.setdefault("response_url", self.fake.response_url("actions"))
        return self.dispatch(block_actions(action_id, value, **kwargs))


AppFactory = Callable[..., App]


def build_harness(
    fake: FakeSlackApi, tmp_path: Path, engine: Engine, **env: object
) -> SlackHarness:
    from bot.app import create_app

    services = slack_services_for(fake, tmp_path, engine, **env)
    app = create_app(services.settings, services, process_before_response=True)
    return SlackHarness(fake=fake, services=services, app=app, bot_user_id=fake.bot_user_id)


@pytest.fixture
def slack_harness(fake_slack: FakeSlackApi, tmp_path: Path, engine: Engine) -> SlackHarness:
    """The harness on each backend (parametrised through ``db_kind``)."""
    return build_harness(fake_slack, tmp_path, engine)


@pytest.fixture
def sqlite_slack_harness(
    fake_slack: FakeSlackApi, tmp_path: Path, sqlite_engine: Engine
) -> SlackHarness:
    return build_harness(fake_slack, tmp_path, sqlite_engine)
