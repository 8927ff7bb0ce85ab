"""Settings: read from the environment; a bad value fails with one line naming the variable."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.errors import ConfigurationError
from bot.settings import load_settings


def test_defaults_need_no_tokens_and_use_sqlite_under_var(monkeypatch, tmp_path):
    monkeypatch.delenv("CSBOT_DATA_DIR")
    settings = load_settings(_env_file=None)
    assert settings.resolved_database_url == "sqlite:///var/csbot.db"
    assert not settings.slack_enabled and not settings.llm_enabled
    assert settings.visibility == "all"


def test_environment_values_are_parsed(monkeypatch):
    monkeypatch.setenv("CSBOT_DATABASE_URL", "postgresql+psycopg://u:p@db/cs")
    monkeypatch.setenv("CSBOT_ALLOWED_CHANNELS", "C1, C2")
    monkeypatch.setenv("CSBOT_CTA_CHANNELS", "risk=C9,renewal=C8")
    monkeypatch.setenv("CSBOT_VISIBILITY", "own")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-3")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-2")
    settings = load_settings(_env_file=None)
    assert settings.resolved_database_url == "postgresql+psycopg://u:p@db/cs"
    assert settings.allowed_channels == ["C1", "C2"]
    assert settings.cta_channels == {"risk": "C9", "renewal": "C8"}
    assert settings.socket_mode_enabled
    assert "xoxb-1-2-3" not in repr(settings)  # secrets never show up in reprs


def test_dotenv_file_is_read(tmp_path):
    (tmp_path / ".env").write_text("CSBOT_TIMEZONE=Europe/Berlin\n")
    assert load_settings().timezone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("CSBOT_VISIBILITY", "everyone", "CSBOT_VISIBILITY: Input should be 'all' or 'own'"),
        ("CSBOT_TIMEZONE", "Mars/Base", "CSBOT_TIMEZONE: unknown time zone 'Mars/Base'"),
        ("CSBOT_DIGEST_TIME", "25:00", "CSBOT_DIGEST_TIME: expected HH:MM, got '25:00'"),
        ("SLACK_BOT_TOKEN", "abc", "SLACK_BOT_TOKEN: a bot token starts with xoxb-"),
        (
            "CSBOT_STALE_AFTER_HOURS",
            "soon",
            "CSBOT_STALE_AFTER_HOURS: Input should be a valid number",
        ),
        ("SLACK_API_URL", "slack.local", "SLACK_API_URL: must start with http:// or https://"),
        (
            "CSBOT_STALE_AFTER_HOURS_BY_SOURCE",
            "nps=0",
            "CSBOT_STALE_AFTER_HOURS_BY_SOURCE: nps: hours must be a positive number, got '0'",
        ),
    ],
)
def test_malformed_setting_fails_with_one_line_naming_the_variable(
    monkeypatch, variable, value, expected
):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as caught:
        load_settings(_env_file=None)
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_app_token_without_bot_token_is_refused(monkeypatch):
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    with pytest.raises(ConfigurationError, match="SLACK_BOT_TOKEN is required"):
        load_settings(_env_file=None)


def test_cli_start_up_reports_a_bad_setting_and_exits_2(monkeypatch):
    monkeypatch.setenv("CSBOT_VISIBILITY", "everyone")
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 2
    assert "CSBOT_VISIBILITY" in result.output


def test_locale_is_validated_and_normalised(monkeypatch):
    monkeypatch.setenv("CSBOT_LOCALE", "de-DE")
    assert load_settings(_env_file=None).locale == "de_DE"
    monkeypatch.setenv("CSBOT_LOCALE", "xx_nowhere")
    with pytest.raises(ConfigurationError, match="CSBOT_LOCALE: unknown locale 'xx_nowhere'"):
        load_settings(_env_file=None)
