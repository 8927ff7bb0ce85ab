"""Help, errors, choices and notices: valid Block Kit, escaped user text, no secrets."""

from __future__ import annotations

from bot.errors import AccountNotFound
from bot.slack.action_values import parse_answer_ref
from bot.slack.blocks.choices import MAX_CHOICES, build_account_choice_message
from bot.slack.blocks.errors import (
    build_apology_message,
    build_home_error_view_blocks,
    build_user_error_message,
)
from bot.slack.blocks.help import SUGGESTED_PROMPTS, build_help_message
from bot.slack.blocks.notices import (
    build_channel_not_enabled_message,
    build_feedback_thanks_message,
)
from bot.slack.ids import ActionId
from tests.support.blockcheck import assert_valid_message, assert_valid_view


def _valid(message) -> None:  # type: ignore[no-untyped-def]
    assert_valid_message({"text": message.text, "blocks": message.blocks})


def test_apology_quotes_the_incident_id() -> None:
    message = build_apology_message("abc123")
    _valid(message)
    assert "abc123" in message.text


def test_user_errors_are_escaped_so_names_cannot_ping_anyone() -> None:
    message = build_user_error_message(AccountNotFound("<!channel>", ["Acme & Co"]))
    _valid(message)
    rendered = message.blocks[0]["text"]["text"]
    assert "<!channel>" not in rendered
    assert "&lt;!channel&gt;" in rendered and "Acme &amp; Co" in rendered


def test_choice_buttons_pin_the_question_to_each_account() -> None:
    candidates = [(f"A{i}", f"Acme {i}") for i in range(MAX_CHOICES + 3)]
    message = build_account_choice_message("how is acme?", "acme", candidates, thread_ts="9.9")
    _valid(message)
    buttons = message.blocks[-1]["elements"]
    assert len(buttons) == MAX_CHOICES
    refs = [parse_answer_ref(b["value"]) for b in buttons]
    assert [r.account_id for r in refs] == [f"A{i}" for i in range(MAX_CHOICES)]
    assert {r.question for r in refs} == {"how is acme?"}
    assert all(b["action_id"].startswith(ActionId.CHOOSE_ACCOUNT + ":") for b in buttons)


def test_help_notices_and_home_error_are_valid() -> None:
    for message in (
        build_help_message(),
        build_help_message(intro="I'm not sure what you mean."),
        build_channel_not_enabled_message(),
        build_feedback_thanks_message("up"),
        build_feedback_thanks_message("down"),
    ):
        _valid(message)
    assert_valid_view({"type": "home", "blocks": build_home_error_view_blocks("x1")})


def test_at_most_four_suggested_prompts() -> None:
    assert 1 <= len(SUGGESTED_PROMPTS) <= 4
