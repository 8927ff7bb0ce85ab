"""Clicks on answer buttons, with button values taken from answers the app really sent."""

from __future__ import annotations

import json
from typing import Any

from bot.services.insights.feedback import recent_feedback
from bot.slack.ids import ActionId
from tests.handlers.seed import DANA, MAX, STRANGER, seed_book
from tests.support.block_reading import action_elements, action_ids
from tests.support.blockcheck import assert_valid_message
from tests.support.cli import invoke as invoke_cli
from tests.support.slack_fixtures import SlackHarness


def _button(message: dict[str, Any], action_prefix: str, index: int = 0) -> dict[str, Any]:
    return action_elements(message.get("blocks"), action_prefix)[index]


def test_feedback_click_is_stored_and_thanked(slack_harness: SlackHarness) -> None:
    seed_book(slack_harness.services)
    slack_harness.dm("How is Acme Corp doing?", user=DANA)
    [answer] = slack_harness.fake.calls("chat.postMessage")
    posted = slack_harness.fake.messages("D" + DANA)[0]
    down = _button(answer, ActionId.FEEDBACK_DOWN)

    response = slack_harness.click(
        down["action_id"],
        down["value"],
        user_id=DANA,
        channel_id="D" + DANA,
        message_ts=posted.ts,
    )

    assert response.status == 200
    [entry] = recent_feedback(slack_harness.services)
    assert (entry.slack_user_id, entry.value) == (DANA, "down")
    assert entry.question == "How is Acme Corp doing?"
    assert entry.intent == "account_overview"
    assert (entry.channel_id, entry.message_ts) == ("D" + DANA, posted.ts)
    [thanks] = slack_harness.fake.calls("response_url")
    assert thanks["response_type"] == "ephemeral" and "Thanks" in thanks["text"]


def test_feedback_list_cli_shows_the_stored_clicks(
    sqlite_slack_harness: SlackHarness, monkeypatch: Any
) -> None:
    harness = sqlite_slack_harness
    seed_book(harness.services)
    harness.dm("my accounts", user=DANA)
    [answer] = harness.fake.calls("chat.postMessage")
    up = _button(answer, ActionId.FEEDBACK_UP)
    harness.click(up["action_id"], up["value"], user_id=DANA, channel_id="D" + DANA)
    monkeypatch.setenv("CSBOT_DATABASE_URL", str(harness.services.engine.url))

    result = invoke_cli("feedback", "list", "--json")
    assert result.exit_code == 0, result.output
    [line] = result.output.strip().splitlines()
    record = json.loads(line)
    assert record["value"] == "up" and record["question"] == "my accounts"
    assert record["slack_user_id"] == DANA and record["intent"] == "accounts"
    table = invoke_cli("feedback", "list", "--value", "down")
    assert table.exit_code == 0 and "No feedback yet." in table.output


def test_share_posts_a_fresh_public_copy_and_removes_the_private_one(
    slack_harness: SlackHarness,
) -> None:
    seed_book(slack_harness.services)
    slack_harness.mention("how is Acme Corp doing?", user=DANA, channel="C111")
    [private] = slack_harness.fake.calls("chat.postEphemeral")
    share = _button(private, ActionId.SHARE_IN_CHANNEL)

    slack_harness.click(
        share["action_id"],
        share["value"],
        user_id=DANA,
        channel_id="C111",
        is_ephemeral=True,
    )

    [public] = slack_harness.fake.calls("chat.postMessage")
    assert public["channel"] == "C111"
    assert public["thread_ts"] == private["thread_ts"]
    assert f"Shared by <@{DANA}>" in json.dumps(public["blocks"])
    assert "Acme Corp" in public["text"]
    actions = action_ids(public)
    assert ActionId.SHARE_IN_CHANNEL not in actions and ActionId.FEEDBACK_UP in actions
    assert_valid_message(public)
    [delete] = slack_harness.fake.calls("response_url")
    assert delete["delete_original"] is True


def test_share_is_re_asked_as_the_clicker(sqlite_slack_harness: SlackHarness) -> None:
    """A button forwarded to someone csbot does not know shares nothing."""
    seed_book(sqlite_slack_harness.services)
    sqlite_slack_harness.mention("how is Acme Corp doing?", user=DANA, channel="C111")
    [private] = sqlite_slack_harness.fake.calls("chat.postEphemeral")
    share = _button(private, ActionId.SHARE_IN_CHANNEL)
    sqlite_slack_harness.click(
        share["action_id"], share["value"], user_id=STRANGER, channel_id="C111", is_ephemeral=True
    )
    assert sqlite_slack_harness.fake.calls("chat.postMessage") == []
    [refusal] = sqlite_slack_harness.fake.calls("chat.postEphemeral")[1:]
    assert refusal["user"] == STRANGER
    assert "Acme" not in refusal["text"] and "don't know you" in refusal["text"]


def test_show_more_sends_the_next_page_keeping_it_private(
    slack_harness: SlackHarness,
) -> None:
    seed_book(slack_harness.services)
    slack_harness.command("/cs", "my accounts", user=DANA)
    [first_page] = slack_harness.fake.calls("response_url")
    more = _button(first_page, ActionId.SHOW_MORE)

    slack_harness.click(
        more["action_id"], more["value"], user_id=DANA, channel_id="C111", is_ephemeral=True
    )

    second_page = slack_harness.fake.calls("response_url")[1]
    assert second_page["response_type"] == "ephemeral"
    assert "11–14 of 14" in second_page["text"]
    assert "Initech 11" in second_page["text"]
    assert_valid_message(second_page)


def test_show_more_on_a_public_answer_continues_in_its_thread(
    sqlite_slack_harness: SlackHarness,
) -> None:
    seed_book(sqlite_slack_harness.services)
    sqlite_slack_harness.dm("my accounts", user=DANA, thread_ts="1700000000.000100")
    [first_page] = sqlite_slack_harness.fake.calls("chat.postMessage")
    more = _button(first_page, ActionId.SHOW_MORE)
    sqlite_slack_harness.click(
        more["action_id"], more["value"], user_id=DANA, channel_id="D" + DANA
    )
    second = sqlite_slack_harness.fake.calls("chat.postMessage")[1]
    assert second["thread_ts"] == "1700000000.000100"
    assert "11–14 of 14" in second["text"]


def test_choosing_an_account_replaces_the_question_with_the_answer(
    slack_harness: SlackHarness,
) -> None:
    seed_book(slack_harness.services)
    slack_harness.dm("how is umbrella doing?", user=DANA)
    [choice] = slack_harness.fake.calls("chat.postMessage")
    assert "matches several accounts" in choice["text"]
    south = _button(choice, ActionId.CHOOSE_ACCOUNT, index=1)
    assert south["text"]["text"] == "Umbrella South"

    slack_harness.click(south["action_id"], south["value"], user_id=DANA, channel_id="D" + DANA)

    [answer] = slack_harness.fake.calls("response_url")
    assert answer["replace_original"] is True
    assert answer["text"].startswith("Umbrella South")
    assert_valid_message(answer)


def test_a_click_with_a_value_we_did_not_write_gets_a_clear_message(
    sqlite_slack_harness: SlackHarness,
) -> None:
    response = sqlite_slack_harness.click(ActionId.SHOW_MORE, "{not json", user_id=MAX)
    assert response.status == 200
    [reply] = sqlite_slack_harness.fake.calls("response_url")
    assert "expired" in reply["text"] and reply["response_type"] == "ephemeral"


def test_sharing_where_csbot_is_not_a_member_says_how_to_fix_it(
    sqlite_slack_harness: SlackHarness,
) -> None:
    seed_book(sqlite_slack_harness.services)
    sqlite_slack_harness.fake.add_channel("CPRIVATE", is_private=True, is_member=False)
    sqlite_slack_harness.command("/cs", "how is Acme Corp doing?", user=DANA, channel="CPRIVATE")
    [private] = sqlite_slack_harness.fake.calls("response_url")
    share = _button(private, ActionId.SHARE_IN_CHANNEL)
    sqlite_slack_harness.click(
        share["action_id"],
        share["value"],
        user_id=DANA,
        channel_id="CPRIVATE",
        is_ephemeral=True,
    )
    assert sqlite_slack_harness.fake.calls("chat.postMessage") == []
    notice = sqlite_slack_harness.fake.calls("response_url")[-1]
    assert "/invite @csbot" in notice["text"] and notice["response_type"] == "ephemeral"
