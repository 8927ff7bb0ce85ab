"""The shared Web API client against the fake Slack server: base URL, retries, errors."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from slack_sdk.errors import SlackApiError

from bot.errors import ConfigurationError
from bot.settings import Settings
from bot.slack.client import build_web_client
from tests.support.fake_slack import FakeSlackApi


def _settings(tmp_path: Path, fake: FakeSlackApi, **env: object) -> Settings:
    values: dict[str, object] = {
        "CSBOT_DATA_DIR": tmp_path,
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_API_URL": fake.base_url.rstrip("/"),  # the trailing slash is added for us
    }
    values.update(env)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_client_talks_to_slack_api_url_with_the_bot_token(
    tmp_path: Path, fake_slack: FakeSlackApi
) -> None:
    client = build_web_client(_settings(tmp_path, fake_slack))
    assert client.auth_test()["user_id"] == fake_slack.bot_user_id
    [call] = fake_slack.requests("auth.test")
    assert call.token == fake_slack.bot_token


def test_429_is_retried_after_retry_after(tmp_path: Path, fake_slack: FakeSlackApi) -> None:
    client = build_web_client(_settings(tmp_path, fake_slack))
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    response = client.chat_postMessage(channel="C1", text="hello")
    waited = time.monotonic() - started
    assert response["ok"]
    attempts = fake_slack.requests("chat.postMessage")
    assert [a.status for a in attempts] == [429, 200]
    assert waited >= 1.0
    assert attempts[1].at - attempts[0].at >= 1.0
    assert [m.text for m in fake_slack.messages("C1")] == ["hello"]


def test_a_reset_connection_is_retried(tmp_path: Path, fake_slack: FakeSlackApi) -> None:
    client = build_web_client(_settings(tmp_path, fake_slack))
    fake_slack.fail_next("chat.postMessage", reset=True)
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    assert len(fake_slack.requests("chat.postMessage")) == 2


def test_slack_errors_surface_as_slack_api_error(tmp_path: Path, fake_slack: FakeSlackApi) -> None:
    client = build_web_client(_settings(tmp_path, fake_slack))
    fake_slack.add_channel("C2", is_member=False)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C2", text="hi")
    assert raised.value.response["error"] == "not_in_channel"


def test_wrong_token_is_invalid_auth(tmp_path: Path, fake_slack: FakeSlackApi) -> None:
    client = build_web_client(_settings(tmp_path, fake_slack), token="xoxb-wrong")
    with pytest.raises(SlackApiError) as raised:
        client.auth_test()
    assert raised.value.response["error"] == "invalid_auth"


def test_missing_token_is_a_configuration_error_naming_the_variable(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, CSBOT_DATA_DIR=tmp_path)  # type: ignore[call-arg]
    with pytest.raises(ConfigurationError, match="SLACK_BOT_TOKEN"):
        build_web_client(settings)
