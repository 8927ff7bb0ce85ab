"""Questions that arrive as messages: DMs, @mentions, and follow-ups in the bot's threads.

In DMs every message is a question. In channels csbot speaks only when mentioned, only
in channels enabled by ``CSBOT_ALLOWED_CHANNELS`` (empty means all), and always in a
thread; later messages in that thread from the same person need no new mention.

A mention inside a thread reaches us twice (``app_mention`` and ``message.channels``);
whichever delivery wins the claim answers, so both listeners can answer mentions.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext
from slack_bolt.context.set_status import SetStatus
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import Services
from bot.services.answers.conversations import find_bot_thread
from bot.settings import Settings
from bot.slack.blocks.help import build_help_message
from bot.slack.blocks.notices import build_channel_not_enabled_message
from bot.slack.formatting import mentions_user, strip_user_mention
from bot.slack.replies import ReplyTarget, reply_target_for
from handlers.asking import Ask, answer_and_reply, reply

logger = logging.getLogger(__name__)

WORKING_STATUS = "is working…"
CHANNEL_TYPES = frozenset({"channel", "group", "mpim"})


def register(app: App) -> None:
    app.event("app_mention")(handle_event_app_mention)
    app.event("message", matchers=[is_direct_message])(handle_message_direct)
    app.event("message", matchers=[is_channel_thread_reply])(handle_message_channel_thread)


def is_direct_message(event: dict[str, Any]) -> bool:
    return event.get("channel_type") == "im"


def is_channel_thread_reply(event: dict[str, Any]) -> bool:
    thread_ts = event.get("thread_ts")
    return (
        event.get("channel_type") in CHANNEL_TYPES
        and thread_ts is not None
        and thread_ts != event.get("ts")
    )


def is_channel_allowed(settings: Settings, channel_id: str | None) -> bool:
    """Channels csbot may answer in; an empty allow-list means every channel it is in."""
    if not settings.allowed_channels:
        return True
    return channel_id in settings.allowed_channels


def handle_message_direct(
    event: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    services: Services,
    set_status: SetStatus | None = None,
) -> None:
    """A DM (or a message in the assistant panel): always a question for csbot."""
    target = reply_target_for(body)
    text = strip_user_mention(event.get("text") or "", context.bot_user_id)
    if not text:
        reply(client, target, build_help_message(), private=False)
        return
    status_thread = event.get("thread_ts") or event.get("ts")
    _show_working(set_status)
    answer_and_reply(services, client, target, _ask(event, text, target, channel_type="im"))
    if target.thread_ts != status_thread:
        _clear_status(client, target.channel_id, status_thread)


def handle_event_app_mention(
    event: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    services: Services,
) -> None:
    """``@csbot …`` anywhere (or a follow-up in csbot's thread): answer in the thread."""
    target = reply_target_for(body)
    if target.in_channel and not is_channel_allowed(services.settings, target.channel_id):
        logger.info("question in a channel that is not enabled")
        reply(client, target, build_channel_not_enabled_message(), private=True)
        return
    text = strip_user_mention(event.get("text") or "", context.bot_user_id)
    if not text:
        reply(client, target, build_help_message(), private=target.in_channel)
        return
    channel_type = "im" if target.is_dm else event.get("channel_type") or "channel"
    answer_and_reply(services, client, target, _ask(event, text, target, channel_type))


def handle_message_channel_thread(
    event: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    services: Services,
) -> None:
    """A thread reply in a channel: answered like a mention when it mentions csbot.

    Without a mention it is answered only as a follow-up: the person csbot answered,
    in a thread csbot answered in.
    """
    text = event.get("text") or ""
    if not mentions_user(text, context.bot_user_id):
        thread = find_bot_thread(
            services, channel_id=event["channel"], thread_ts=event["thread_ts"]
        )
        if thread is None or thread.slack_user_id != event.get("user"):
            return
    handle_event_app_mention(event, body, context, client, services)


def _ask(event: dict[str, Any], text: str, target: ReplyTarget, channel_type: str) -> Ask:
    return Ask(
        text=text,
        slack_user_id=event["user"],
        channel_id=target.channel_id,
        channel_type=channel_type,
        thread_ts=target.thread_ts,
    )


def _show_working(set_status: SetStatus | None) -> None:
    """The assistant panel's "csbot is working…" line; cosmetic, so failures only log."""
    if set_status is None:
        return
    try:
        set_status(status=WORKING_STATUS)
    except SlackApiError as error:
        logger.info(
            "could not set the assistant status", extra={"slack_error": error.response.get("error")}
        )


def _clear_status(client: WebClient, channel_id: str | None, thread_ts: str | None) -> None:
    """Slack clears the status when we reply in its thread; a top-level reply does not."""
    if channel_id is None or thread_ts is None:
        return
    try:
        client.assistant_threads_setStatus(channel_id=channel_id, thread_ts=thread_ts, status="")
    except SlackApiError as error:
        logger.info(
            "could not clear the assistant status",
            extra={"slack_error": error.response.get("error")},
        )
