"""Slash commands: acknowledged at once, answered through the response_url."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.app import create_app
from bot.slack.ids import ActionId, Command
from tests.handlers.seed import DANA, seed_book
from tests.support.block_reading import action_ids
from tests.support.blockcheck import assert_valid_message
from tests.support.fake_slack import FakeSlackApi
from tests.support.slack_fixtures import (
    SlackHarness,
    slack_services_for,
)
from tests.support.slack_requests import signed_request, slash_command


def test_cs_acks_first_then_answers_via_response_url(
    fake_slack: FakeSlackApi, tmp_path: Path, engine: Engine
) -> None:
    """Default HTTP mode: the 200 goes back before the (slow) answer is delivered."""
    services = slack_services_for(fake_slack, tmp_path, engine)
    app = create_app(services.settings, services)  # process_before_response=False, as served
    seed_book(services)
    fake_slack.delay("response_url", 1.0)  # Slack's side is slow to take the answer
    response_url = fake_slack.response_url()

    started = time.monotonic()
    ack = app.dispatch(
        signed_request(
            slash_command("/cs", "How is Acme Corp doing?", user_id=DANA, response_url=response_url)
        )
    )
    acked_after = time.monotonic() - started

    assert ack.status == 200 and ack.body == ""
    assert acked_after < 1.0
    [answer] = fake_slack.wait_for("response_url", timeout=10)
    assert answer["response_type"] == "ephemeral"
    assert "Acme Corp" in answer["text"]
    assert_valid_message(answer)
    assert ActionId.SHARE_IN_CHANNEL in action_ids(answer)


def test_cs_without_a_question_shows_help(sqlite_slack_harness: SlackHarness) -> None:
    response, _ = sqlite_slack_harness.command(Command.CS, "  ")
    assert response.status == 200
    [reply] = sqlite_slack_harness.fake.calls("response_url")
    assert reply["response_type"] == "ephemeral"
    assert "What you can ask me" in str(reply["blocks"])
    assert_valid_message(reply)


def test_health_command_answers_the_accounts_health(slack_harness: SlackHarness) -> None:
    seed_book(slack_harness.services)
    slack_harness.command(Command.HEALTH, "acme corp", user=DANA)
    [reply] = slack_harness.fake.calls("response_url")
    assert reply["text"].startswith("Health: Acme Corp")
    assert_valid_message(reply)


def test_health_command_without_an_account_shows_usage(
    sqlite_slack_harness: SlackHarness,
) -> None:
    sqlite_slack_harness.command(Command.HEALTH, "", user=DANA)
    [reply] = sqlite_slack_harness.fake.calls("response_url")
    assert "Usage: `/health ACCOUNT`" in reply["text"]


@pytest.mark.parametrize(("argument", "window"), [("", "30 days"), ("60", "60 days")])
def test_renewals_command_lists_renewals_in_the_window(
    sqlite_slack_harness: SlackHarness, argument: str, window: str
) -> None:
    seed_book(sqlite_slack_harness.services)
    sqlite_slack_harness.command(Command.RENEWALS, argument, user=DANA)
    [reply] = sqlite_slack_harness.fake.calls("response_url")
    assert f"Renewals: the next {window}" in reply["text"]
    assert_valid_message(reply)


@pytest.mark.parametrize("argument", ["soon", "0", "400", "<!channel>"])
def test_renewals_command_refuses_bad_days_with_usage(
    sqlite_slack_harness: SlackHarness, argument: str
) -> None:
    sqlite_slack_harness.command(Command.RENEWALS, argument, user=DANA)
    [reply] = sqlite_slack_harness.fake.calls("response_url")
    assert "not a number of days" in reply["text"] and "1–365" in reply["text"]
    assert "<!channel>" not in reply["text"]
