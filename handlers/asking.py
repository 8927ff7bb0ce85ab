"""Ask the question-answering pipeline and put the answer where the question came from.

Every question surface (DM, mention, thread follow-up, ``/cs``, Show more, account
choice, share) ends here, so the rules live in one place: which answers are private
in channels, which buttons an answer carries, and which conversations the bot keeps
context for (threads, and the main DM timeline) so follow-ups need no account name.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient

from bot.services import Services
from bot.services.answers.pipeline import Answer, Question, answer_question
from bot.slack.action_values import AnswerRef
from bot.slack.blocks.answer_actions import decorate_answer
from bot.slack.replies import ReplyTarget, SlackMessage, send_reply

logger = logging.getLogger(__name__)

NO_FEEDBACK_INTENTS = frozenset({"refused", "choose_account"})
"""Refusals and "which one did you mean?" are not answers to rate."""

DM_TIMELINE_KEY = "dm"
"""``slack_threads.thread_ts`` for a DM's main timeline (top-level messages)."""


@dataclass(frozen=True, slots=True)
class Ask:
    """A question as it arrived from Slack, before the pipeline sees it."""

    text: str
    slack_user_id: str
    channel_id: str | None
    channel_type: str = "im"
    thread_ts: str | None = None
    page: int = 0
    account_id: str | None = None
    extra_blocks: tuple[dict[str, Any], ...] = field(default_factory=tuple)


def channel_type_of(channel_id: str | None) -> str:
    """Best guess from the id alone (commands and clicks carry no channel type)."""
    if channel_id and channel_id.startswith("D"):
        return "im"
    return "channel"


def should_answer_privately(services: Services, target: ReplyTarget, answer: Answer) -> bool:
    """Ephemeral in channels for answers about accounts (``CSBOT_EPHEMERAL_IN_CHANNELS``).

    Slash-command replies that carry no customer data (help, refusals) are private
    too: nobody else in the channel asked for them.
    """
    if target.surface == "command":
        return not answer.about_accounts or services.settings.ephemeral_in_channels
    if not target.in_channel:
        return False
    return answer.about_accounts and services.settings.ephemeral_in_channels


def answer_and_reply(
    services: Services,
    client: WebClient,
    target: ReplyTarget,
    ask: Ask,
    *,
    private: bool | None = None,
    offer_share: bool = True,
    replace_original: bool = False,
    public_only_if_found: bool = False,
) -> Answer:
    """Answer ``ask`` as its asker may see it and send the answer to ``target``.

    ``private`` overrides the channel rule (Show more keeps the privacy of the message
    it extends; a shared answer is public by definition). ``public_only_if_found``: a
    shared copy that turned into "no such account" for the person who clicked (it is
    not in what they may see) stays private to them.
    """
    answer = answer_question(services, _question(services, target, ask))
    ephemeral = (
        private if private is not None else should_answer_privately(services, target, answer)
    )
    if answer.refused and target.in_channel:
        ephemeral = True  # "I don't know you" is nobody else's business, even when sharing
    if public_only_if_found and answer.intent == "not_found" and target.in_channel:
        ephemeral = True
    ref = AnswerRef.for_question(
        ask.text,
        page=ask.page,
        account_id=ask.account_id,
        intent=answer.intent,
        thread_ts=target.thread_ts,
    )
    message = decorate_answer(
        answer.text,
        [*ask.extra_blocks, *answer.blocks],
        ref,
        show_more=answer.has_more,
        share=offer_share and ephemeral and target.in_channel and answer.about_accounts,
        feedback=answer.intent not in NO_FEEDBACK_INTENTS and not answer.refused,
    )
    send_reply(client, target, message, ephemeral=ephemeral, replace_original=replace_original)
    logger.info(
        "answer sent",
        extra={"intent": answer.intent, "ephemeral": ephemeral, "surface": target.surface},
    )
    return answer


def reply(client: WebClient, target: ReplyTarget, message: SlackMessage, *, private: bool) -> None:
    """Send a non-answer message (help, usage, notices) to ``target``."""
    send_reply(client, target, message, ephemeral=private)


def _question(services: Services, target: ReplyTarget, ask: Ask) -> Question:
    return Question(
        text=ask.text,
        slack_user_id=ask.slack_user_id,
        channel_id=ask.channel_id,
        channel_type=ask.channel_type,
        thread_ts=ask.thread_ts,
        page=ask.page,
        account_id=ask.account_id,
        conversation_key=_conversation_key(target),
    )


def _conversation_key(target: ReplyTarget) -> str | None:
    """Where follow-up context is kept: the thread, or a DM's main timeline.

    The pipeline reads and records the conversation's account under this key in the
    transaction that answers; which surfaces keep context is the transport's call.
    """
    if target.surface != "message" or target.channel_id is None:
        return None
    if target.thread_ts is not None:
        return target.thread_ts
    return DM_TIMELINE_KEY if target.is_dm else None
