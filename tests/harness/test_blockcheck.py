"""The block checker must catch what Slack would refuse (else every other test is weaker)."""

from __future__ import annotations

import pytest

from tests.support.blockcheck import (
    assert_valid_blocks,
    assert_valid_message,
    assert_valid_view,
    block_problems,
    message_problems,
    view_problems,
)

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}


def test_a_plain_section_is_valid() -> None:
    assert_valid_blocks([SECTION])
    assert_valid_message({"text": "hi", "blocks": [SECTION]})


@pytest.mark.parametrize(
    ("blocks", "problem"),
    [
        ([SECTION] * 51, "at most 50"),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}], "3000"),
        ([{"type": "sparkles"}], "unknown block type"),
        (
            [{"type": "section", "text": {"type": "mrkdwn", "text": "a"}, "colour": "red"}],
            "colour: unknown key",
        ),
        ([dict(SECTION, block_id="a"), dict(SECTION, block_id="a")], "block_id 'a' used 2"),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": "x"},
                            "action_id": "b",
                        },
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": "y"},
                            "action_id": "b",
                        },
                    ],
                }
            ],
            "action_id 'b' used 2",
        ),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "150"),
        ([{"type": "context", "elements": [{"type": "mrkdwn", "text": "c" * 3001}]}], "3000"),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 2999}}] * 5, "budget"),
    ],
)
def test_problems_slack_would_refuse_are_reported(blocks: list[dict], problem: str) -> None:
    problems = block_problems(blocks)
    assert any(problem in p for p in problems), problems
    with pytest.raises(AssertionError):
        assert_valid_blocks(blocks)


def test_blocks_need_a_fallback_text() -> None:
    assert "fallback" in " ".join(message_problems({"blocks": [SECTION]}))
    assert "no text" in " ".join(message_problems({}))


def test_view_rules_title_length_block_count_and_type() -> None:
    assert_valid_view({"type": "home", "blocks": [SECTION]})
    long_title = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "t" * 25},
        "blocks": [SECTION],
    }
    assert view_problems(long_title)
    assert view_problems({"type": "home", "blocks": [SECTION] * 101})
    assert view_problems({"type": "home", "blocks": []})
    assert view_problems({"type": "sheet", "blocks": [SECTION]})
    assert_valid_blocks([SECTION] * 100, surface="home")
