"""Threads the bot is part of, so follow-ups in them need no new mention.

The record lives in the store (not in one process's memory) because the follow-up
may reach another replica, or arrive after a restart. The answer pipeline writes it
(in the transaction that answers); the message handler reads it to decide whether a
thread reply without a mention is for csbot.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.session import unit_of_work
from bot.db.slack_state import find_slack_thread
from bot.services import Services


@dataclass(frozen=True, slots=True)
class BotThread:
    channel_id: str
    thread_ts: str
    slack_user_id: str | None
    account_id: str | None
    last_intent: str | None


def find_bot_thread(services: Services, *, channel_id: str, thread_ts: str) -> BotThread | None:
    """The bot's record of a thread, or None when the bot has never answered in it."""
    with unit_of_work(services.session_factory) as session:
        row = find_slack_thread(session=session, channel_id=channel_id, thread_ts=thread_ts)
        if row is None:
            return None
        return BotThread(
            channel_id=row.channel_id,
            thread_ts=row.thread_ts,
            slack_user_id=row.slack_user_id,
            account_id=row.account_id,
            last_intent=row.last_intent,
        )
