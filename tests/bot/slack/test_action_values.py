from __future__ import annotations

import json

import pytest

from bot.slack.action_values import (
    BUTTON_VALUE_LIMIT,
    AnswerRef,
    BadButtonValue,
    parse_answer_ref,
)


def test_round_trip_keeps_question_page_account_and_thread() -> None:
    ref = AnswerRef.for_question(
        "renewals next 90 days", page=2, account_id="A1", intent="renewals", thread_ts="1.2"
    )
    assert parse_answer_ref(ref.to_value()) == ref


def test_value_stays_within_slacks_button_limit_for_long_non_ascii_questions() -> None:
    ref = AnswerRef.for_question("é" * 5000 + "\u0000" * 10)
    value = ref.to_value()
    assert len(value) <= BUTTON_VALUE_LIMIT
    assert parse_answer_ref(value).question.startswith("é")


@pytest.mark.parametrize("value", [None, "", "not json", json.dumps({"p": 1}), '{"q": 5}'])
def test_values_we_did_not_write_are_refused_with_user_text(value: str | None) -> None:
    with pytest.raises(BadButtonValue, match="ask your question again"):
        parse_answer_ref(value)
