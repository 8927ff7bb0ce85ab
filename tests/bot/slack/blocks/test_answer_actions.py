from __future__ import annotations

from bot.slack.action_values import AnswerRef, parse_answer_ref
from bot.slack.blocks import mrkdwn_sections
from bot.slack.blocks.answer_actions import (
    ANSWER_ACTIONS_BLOCK_ID,
    TRIMMED_NOTICE_BLOCK_ID,
    decorate_answer,
)
from bot.slack.ids import ActionId
from tests.support.blockcheck import assert_valid_message

REF = AnswerRef.for_question("my red accounts", intent="at_risk", thread_ts="1.1")


def _actions(blocks: list[dict]) -> dict[str, dict]:
    [block] = [b for b in blocks if b.get("block_id") == ANSWER_ACTIONS_BLOCK_ID]
    return {element["action_id"]: element for element in block["elements"]}


def test_every_control_carries_the_question_and_show_more_asks_the_next_page() -> None:
    message = decorate_answer(
        "2 red accounts", mrkdwn_sections("*Red*"), REF, show_more=True, share=True
    )
    assert_valid_message({"text": message.text, "blocks": message.blocks})
    actions = _actions(message.blocks)
    assert set(actions) == {
        ActionId.SHOW_MORE,
        ActionId.SHARE_IN_CHANNEL,
        ActionId.FEEDBACK_UP,
        ActionId.FEEDBACK_DOWN,
    }
    assert parse_answer_ref(actions[ActionId.SHOW_MORE]["value"]).page == 1
    assert parse_answer_ref(actions[ActionId.SHARE_IN_CHANNEL]["value"]) == REF
    assert parse_answer_ref(actions[ActionId.FEEDBACK_UP]["value"]).intent == "at_risk"


def test_only_feedback_when_nothing_else_applies() -> None:
    message = decorate_answer("hi", mrkdwn_sections("hi"), REF, show_more=False, share=False)
    assert set(_actions(message.blocks)) == {ActionId.FEEDBACK_UP, ActionId.FEEDBACK_DOWN}


def test_no_actions_block_at_all_without_controls() -> None:
    message = decorate_answer(
        "no", mrkdwn_sections("no"), REF, show_more=False, share=False, feedback=False
    )
    assert all(b.get("block_id") != ANSWER_ACTIONS_BLOCK_ID for b in message.blocks)


def test_an_overlong_answer_is_trimmed_to_fifty_blocks_with_a_visible_notice() -> None:
    body = [b for i in range(60) for b in mrkdwn_sections(f"line {i}")]
    message = decorate_answer("long", body, REF, show_more=True, share=False)
    assert len(message.blocks) == 50
    assert message.blocks[-2]["block_id"] == TRIMMED_NOTICE_BLOCK_ID
    assert message.blocks[-1]["block_id"] == ANSWER_ACTIONS_BLOCK_ID
    assert_valid_message({"text": message.text, "blocks": message.blocks})
