"""Which account a conversation thread is about, so follow-ups need no account name.

The Slack transport records threads (``bot.db.slack_state``); answers only read them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import SlackThread


def thread_account_id(*, session: Session, channel_id: str, thread_ts: str) -> str | None:
    return session.scalar(
        select(SlackThread.account_id).where(
            SlackThread.channel_id == channel_id, SlackThread.thread_ts == thread_ts
        )
    )
