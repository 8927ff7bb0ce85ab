"""What a button carries back to us: enough to re-ask the question it belongs to.

Slack echoes a button's ``value`` (at most 2,000 characters) in the click payload,
and ephemeral messages come back without their content, so every answer button
(feedback, share, show more, pick an account) carries the question itself rather
than a pointer to state held in one replica's memory. Values are parsed with
Pydantic because they come from outside.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.errors import UserFacingError

BUTTON_VALUE_LIMIT = 2000
QUESTION_IN_VALUE_LIMIT = 1500


class AnswerRef(BaseModel):
    """The question behind an answer, as a button remembers it."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    question: str = Field(alias="q", max_length=QUESTION_IN_VALUE_LIMIT)
    page: int = Field(0, alias="p", ge=0, le=1000)
    account_id: str | None = Field(None, alias="a", max_length=64)
    intent: str | None = Field(None, alias="i", max_length=64)
    thread_ts: str | None = Field(None, alias="t", max_length=32)

    def to_value(self) -> str:
        """Compact JSON for a button ``value`` (long questions are cut to fit)."""
        data = self.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True)
        data["q"] = self.question
        value = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        if len(value) > BUTTON_VALUE_LIMIT:  # non-ASCII escapes can still overflow
            data["q"] = self.question[: QUESTION_IN_VALUE_LIMIT // 2]
            value = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        return value

    @classmethod
    def for_question(
        cls,
        question: str,
        *,
        page: int = 0,
        account_id: str | None = None,
        intent: str | None = None,
        thread_ts: str | None = None,
    ) -> AnswerRef:
        return cls(
            q=question[:QUESTION_IN_VALUE_LIMIT],
            p=page,
            a=account_id,
            i=intent,
            t=thread_ts,
        )


class BadButtonValue(UserFacingError):
    """A click carried a value csbot did not write (an old message, or tampering)."""


def parse_answer_ref(value: str | None) -> AnswerRef:
    """Read a button value written by :meth:`AnswerRef.to_value`.

    Raises:
        BadButtonValue: with a message the user can act on (ask again).
    """
    if not value:
        raise BadButtonValue("That button has expired — please ask your question again.")
    try:
        return AnswerRef.model_validate(json.loads(value))
    except (ValueError, ValidationError):
        raise BadButtonValue("That button has expired — please ask your question again.") from None
