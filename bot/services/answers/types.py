"""The question-answering contract shared by Slack handlers, the terminal and the jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Question:
    """One question as the transport received it.

    Attributes:
        text: what the person typed (bot mention already stripped).
        slack_user_id: who asked; decides what they may see.
        channel_id / channel_type / thread_ts: where it was asked. A thread the bot
            answered in before supplies the account for follow-ups ("and tickets?").
        page: which page of a long list to show (the "Show more" button asks page+1).
        account_id: an account the person picked from buttons: skips name matching.
        context_account_id: the account the conversation is about, when the caller
            keeps that itself (the terminal chat does).
        conversation_key: where this conversation's memory lives (a thread's ts, or
            ``"dm"`` for a DM's main timeline), or None for a one-off question. The
            pipeline reads the account a follow-up is about from it and records this
            answer's account there, in the same transaction as the answer.
        now: the moment to answer as of; defaults to the current time.
    """

    text: str
    slack_user_id: str
    channel_id: str | None = None
    channel_type: str = "im"
    thread_ts: str | None = None
    page: int = 0
    account_id: str | None = None
    context_account_id: str | None = None
    conversation_key: str | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """What to say back: fallback text plus Block Kit blocks, and what it was about.

    Attributes:
        text: the whole answer as plain text (notification fallback, terminal view).
        blocks: Block Kit blocks, at most 45 so the transport can add its buttons.
        intent: what the question was understood as (``Intent`` value or
            ``refused`` / ``not_found`` / ``choose_account`` / ``which_account``).
        account_id: the account answered about, if one.
        has_more: a further page exists (the transport shows "Show more").
        page: the page shown.
        choices: ``(account_id, name)`` pairs when the name was ambiguous.
        about_accounts: carries customer data (send ephemerally in channels).
        refused: the asker is unknown to csbot.
    """

    text: str
    blocks: list[dict[str, Any]]
    intent: str
    account_id: str | None = None
    has_more: bool = False
    page: int = 0
    choices: list[tuple[str, str]] = field(default_factory=list)
    about_accounts: bool = False
    refused: bool = False
