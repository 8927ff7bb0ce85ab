"""manifest.yml ↔ bot/slack/ids.py: every command, event and prompt declared exactly once."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import app as cli_app
from bot.slack.blocks.help import SUGGESTED_PROMPTS
from bot.slack.ids import BOT_EVENTS, Command
from bot.slack.manifest import MANIFEST_PATH, http_manifest, load_manifest

EVENT_SCOPES = {
    "app_mention": "app_mentions:read",
    "message.im": "im:history",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
}
# Web API methods csbot calls, and the scope each needs.
METHOD_SCOPES = {
    "chat.postMessage / chat.postEphemeral / chat.update": "chat:write",
    "chat.postMessage to channels the bot has not joined (alerts)": "chat:write.public",
    "conversations.open (DMs for alerts)": "im:write",
    "files.uploadV2 (digest charts)": "files:write",
    "assistant.threads.setSuggestedPrompts": "assistant:write",
    "users.info": "users:read",
}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return load_manifest()


def test_slash_commands_match_the_command_enum(manifest: dict) -> None:
    declared = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert sorted(declared) == sorted(c.value for c in Command)
    assert len(declared) == len(set(declared))
    for command in manifest["features"]["slash_commands"]:
        assert len(command["command"]) <= 32 and command["description"]
        assert command.get("should_escape") is False  # handlers parse raw text


def test_events_match_bot_events_and_have_their_scopes(manifest: dict) -> None:
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert sorted(events) == sorted(BOT_EVENTS)
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    for event in events:
        if event in EVENT_SCOPES:
            assert EVENT_SCOPES[event] in scopes, event
    assert "commands" in scopes
    assert set(METHOD_SCOPES.values()) <= scopes


def test_surfaces_home_messages_agent_view_and_interactivity(manifest: dict) -> None:
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] and home["messages_tab_enabled"]
    assert not home["messages_tab_read_only_enabled"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    prompts = manifest["features"]["agent_view"]["suggested_prompts"]
    assert prompts == [p.as_payload() for p in SUGGESTED_PROMPTS]


def test_display_limits(manifest: dict) -> None:
    info = manifest["display_information"]
    assert len(info["name"]) <= 35 and len(info["description"]) <= 140
    assert 174 <= len(info["long_description"]) <= 4000
    assert manifest["settings"]["socket_mode_enabled"] is True


def test_http_variant_points_every_request_at_the_events_url(manifest: dict) -> None:
    variant = http_manifest(manifest, "https://csbot.example.com/")
    url = "https://csbot.example.com/slack/events"
    assert variant["settings"]["socket_mode_enabled"] is False
    assert variant["settings"]["event_subscriptions"]["request_url"] == url
    assert variant["settings"]["interactivity"]["request_url"] == url
    assert {c["url"] for c in variant["features"]["slash_commands"]} == {url}
    assert "url" not in manifest["features"]["slash_commands"][0]  # the source is untouched
    with pytest.raises(ValueError, match="https"):
        http_manifest(manifest, "http://insecure.example.com")


def test_csbot_manifest_prints_parseable_yaml() -> None:
    result = CliRunner().invoke(cli_app, ["manifest", "--http-url", "https://x.example.com"])
    assert result.exit_code == 0, result.output
    printed = yaml.safe_load(result.stdout)
    assert printed["settings"]["event_subscriptions"]["request_url"].startswith("https://x.")
    assert MANIFEST_PATH.name == "manifest.yml"
