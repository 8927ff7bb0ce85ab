"""App Home (tab=home) and the agent panel (tab=messages)."""

from __future__ import annotations

import json

from bot.slack.blocks.help import SUGGESTED_PROMPTS, SUGGESTED_PROMPTS_TITLE
from tests.handlers.seed import DANA, STRANGER, seed_book
from tests.support.blockcheck import assert_valid_view
from tests.support.slack_fixtures import SlackHarness
from tests.support.slack_requests import app_home_opened_event, event_payload


def test_home_tab_publishes_the_viewers_portfolio(slack_harness: SlackHarness) -> None:
    seed_book(slack_harness.services)
    response = slack_harness.dispatch(event_payload(app_home_opened_event(DANA, tab="home")))
    assert response.status == 200
    [call] = slack_harness.fake.calls("views.publish")
    assert call["user_id"] == DANA
    assert_valid_view(call["view"])
    home = json.dumps(slack_harness.fake.home_views[DANA]["blocks"])
    assert "Dana" in home and "$" in home


def test_home_tab_for_a_stranger_explains_instead_of_showing_data(
    sqlite_slack_harness: SlackHarness,
) -> None:
    seed_book(sqlite_slack_harness.services)
    sqlite_slack_harness.dispatch(event_payload(app_home_opened_event(STRANGER, tab="home")))
    view = sqlite_slack_harness.fake.home_views[STRANGER]
    assert_valid_view(view)
    assert "Acme" not in json.dumps(view)


def test_home_failure_publishes_an_apology_view(sqlite_slack_harness: SlackHarness) -> None:
    seed_book(sqlite_slack_harness.services)
    sqlite_slack_harness.fake.fail_next("views.publish", status=500)
    sqlite_slack_harness.dispatch(event_payload(app_home_opened_event(DANA, tab="home")))
    view = sqlite_slack_harness.fake.home_views[DANA]
    assert_valid_view(view)
    assert "couldn't load your portfolio" in json.dumps(view)


def test_messages_tab_offers_suggested_prompts_without_a_thread(
    sqlite_slack_harness: SlackHarness,
) -> None:
    sqlite_slack_harness.dispatch(event_payload(app_home_opened_event(DANA, tab="messages")))
    [call] = sqlite_slack_harness.fake.calls("assistant.threads.setSuggestedPrompts")
    assert call["channel_id"] == "D" + DANA
    assert "thread_ts" not in call  # agent view silently ignores calls with one
    assert call["title"] == SUGGESTED_PROMPTS_TITLE
    assert call["prompts"] == [p.as_payload() for p in SUGGESTED_PROMPTS]
    assert sqlite_slack_harness.fake.calls("views.publish") == []
