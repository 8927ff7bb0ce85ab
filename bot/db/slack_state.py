"""Repositories for what the Slack transport remembers: delivery claims, threads, feedback.

Claims are decided by the primary key inside the database (``INSERT ... ON CONFLICT
DO NOTHING``), never by a read followed by a write, so two replicas receiving the
same delivery cannot both win. Functions take the caller's session and never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from bot.db.insert_ignore import dialect_insert
from bot.db.models import Feedback, SlackEventClaim, SlackThread


def _dialect_insert(session: Session, table: Table) -> Any:
    return dialect_insert(session.get_bind().dialect.name, table)


def claim_event_key(*, session: Session, event_key: str, claimed_by: str, now: datetime) -> bool:
    """Record ``event_key`` as handled; True only for the first caller ever to claim it."""
    table: Table = SlackEventClaim.__table__  # type: ignore[assignment]
    statement = (
        _dialect_insert(session, table)
        .values(event_key=event_key, claimed_by=claimed_by, claimed_at=now)
        .on_conflict_do_nothing(index_elements=["event_key"])
        .returning(table.c.event_key)
    )
    # RETURNING, not rowcount: SQLAlchemy does not promise an INSERT's rowcount (it is
    # -1 under psycopg 3); a returned row is the unambiguous sign this call won.
    return session.execute(statement).first() is not None


def purge_event_claims(*, session: Session, claimed_before: datetime) -> int:
    """Forget claims older than Slack's retry window; returns how many were removed."""
    result = session.execute(
        delete(SlackEventClaim).where(SlackEventClaim.claimed_at < claimed_before)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def upsert_slack_thread(
    *,
    session: Session,
    channel_id: str,
    thread_ts: str,
    slack_user_id: str | None,
    account_id: str | None,
    last_intent: str | None,
    now: datetime,
) -> None:
    """Remember (or refresh) a thread the bot answered in, race-free across replicas.

    A follow-up without an account name keeps the account the thread was about.
    """
    table: Table = SlackThread.__table__  # type: ignore[assignment]
    values = {
        "channel_id": channel_id,
        "thread_ts": thread_ts,
        "slack_user_id": slack_user_id,
        "account_id": account_id,
        "last_intent": last_intent,
        "updated_at": now,
    }
    insert = _dialect_insert(session, table).values(**values)
    update_values: dict[str, Any] = {
        "slack_user_id": insert.excluded.slack_user_id,
        "last_intent": insert.excluded.last_intent,
        "updated_at": insert.excluded.updated_at,
    }
    if account_id is not None:
        update_values["account_id"] = insert.excluded.account_id
    session.execute(
        insert.on_conflict_do_update(index_elements=["channel_id", "thread_ts"], set_=update_values)
    )


def find_slack_thread(*, session: Session, channel_id: str, thread_ts: str) -> SlackThread | None:
    return session.get(SlackThread, (channel_id, thread_ts))


def add_feedback(
    *,
    session: Session,
    slack_user_id: str,
    value: str,
    question: str | None,
    intent: str | None,
    channel_id: str | None,
    message_ts: str | None,
    at: datetime,
) -> Feedback:
    entry = Feedback(
        slack_user_id=slack_user_id,
        value=value,
        question=question,
        intent=intent,
        channel_id=channel_id,
        message_ts=message_ts,
        at=at,
    )
    session.add(entry)
    session.flush()
    return entry


def list_feedback(
    *,
    session: Session,
    limit: int = 50,
    value: str | None = None,
    since: datetime | None = None,
) -> Sequence[Feedback]:
    """Newest first, optionally only 👍 or 👎 and only after ``since``."""
    query = select(Feedback).order_by(Feedback.at.desc(), Feedback.id.desc()).limit(limit)
    if value is not None:
        query = query.where(Feedback.value == value)
    if since is not None:
        query = query.where(Feedback.at >= since)
    return session.scalars(query).all()
