"""👍/👎 on answers, kept for review (``csbot feedback list``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.db.audit import record_audit
from bot.db.base import utcnow
from bot.db.models import Feedback
from bot.db.session import unit_of_work
from bot.db.slack_state import add_feedback, list_feedback
from bot.services import Services

FeedbackValue = Literal["up", "down"]


@dataclass(frozen=True, slots=True)
class FeedbackEntry:
    id: int
    at: datetime
    slack_user_id: str
    value: str
    question: str | None
    intent: str | None
    channel_id: str | None
    message_ts: str | None


def record_answer_feedback(
    services: Services,
    *,
    slack_user_id: str,
    value: FeedbackValue,
    question: str | None,
    intent: str | None,
    channel_id: str | None,
    message_ts: str | None,
    now: datetime | None = None,
) -> FeedbackEntry:
    """Store one click (each click is kept: a changed mind is a signal too)."""
    with unit_of_work(services.session_factory) as session:
        row = add_feedback(
            session=session,
            slack_user_id=slack_user_id,
            value=value,
            question=question,
            intent=intent,
            channel_id=channel_id,
            message_ts=message_ts,
            at=now or utcnow(),
        )
        record_audit(
            session=session,
            actor=f"slack:{slack_user_id}",
            action="feedback",
            target=intent,
            detail={"value": value, "channel_id": channel_id, "message_ts": message_ts},
        )
        return _entry(row)


def recent_feedback(
    services: Services,
    *,
    limit: int = 50,
    value: FeedbackValue | None = None,
    since: datetime | None = None,
) -> list[FeedbackEntry]:
    with unit_of_work(services.session_factory) as session:
        return [
            _entry(row)
            for row in list_feedback(session=session, limit=limit, value=value, since=since)
        ]


def _entry(row: Feedback) -> FeedbackEntry:
    return FeedbackEntry(
        id=row.id,
        at=row.at,
        slack_user_id=row.slack_user_id,
        value=row.value,
        question=row.question,
        intent=row.intent,
        channel_id=row.channel_id,
        message_ts=row.message_ts,
    )
