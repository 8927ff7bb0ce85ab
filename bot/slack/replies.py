"""Where a reply to a Slack request goes, and how to send it there.

A DM gets a message in the DM (in its thread if the question was in one), a mention
gets a threaded reply, a slash command or button click gets a ``response_url``
reply, and anything said in a channel can go privately (ephemeral) to the asker.
Handlers and the error handler share this so an apology lands where the answer
would have.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from bot.errors import IntegrationError, UserFacingError

logger = logging.getLogger(__name__)

Surface = Literal["message", "command", "action", "view", "home", "none"]


CANNOT_POST_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})

REPLY_RETRY_DELAYS = (0.5, 1.5)
"""Backoff before the 2nd and 3rd try of a reply after a transient failure (5xx, lost
connection). The ack went out long before, so a short wait costs nothing, and Slack's
own retry of the event is dropped as a duplicate: this is the answer's only chance."""
REPLY_EVENT_TYPE = "csbot_reply"
"""``metadata.event_type`` on posted replies; ``event_payload.reply_id`` lets a retry
see that a "failed" post (a 500 after Slack posted) is already in the conversation."""
REPLY_LOOKBACK_SECONDS = 600

T = TypeVar("T")


class CannotPostHere(UserFacingError):
    """Slack refused a post because csbot is not in (or cannot see) the conversation."""

    def __init__(self, slack_error: str) -> None:
        self.slack_error = slack_error
        super().__init__(
            "I can't post in this conversation — invite me with `/invite @csbot` "
            "and try again, or ask me in a direct message."
        )


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """A rendered message: fallback ``text`` (notifications, screen readers) plus blocks."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ReplyTarget:
    """Who asked, from where, and the handles Slack gave us to answer."""

    surface: Surface
    user_id: str | None = None
    channel_id: str | None = None
    thread_ts: str | None = None
    response_url: str | None = None
    is_dm: bool = False

    @property
    def in_channel(self) -> bool:
        """True when other people can see replies posted to this conversation."""
        return self.channel_id is not None and not self.is_dm


def _is_dm_channel(channel_id: str | None, channel_type: str | None = None) -> bool:
    if channel_type is not None:
        return channel_type == "im"
    return bool(channel_id) and str(channel_id).startswith("D")


def reply_target_for(body: dict[str, Any]) -> ReplyTarget:
    """Work out the reply target of any Slack request body (event, command, interaction)."""
    if body.get("type") == "event_callback":
        event = body.get("event") or {}
        if event.get("type") == "app_home_opened" and event.get("tab") != "messages":
            return ReplyTarget(surface="home", user_id=event.get("user"))
        channel = event.get("channel")
        is_dm = _is_dm_channel(channel, event.get("channel_type"))
        if event.get("type") == "app_home_opened":
            return ReplyTarget(
                surface="message", user_id=event.get("user"), channel_id=channel, is_dm=True
            )
        thread_ts = event.get("thread_ts")
        if not is_dm and thread_ts is None:
            thread_ts = event.get("ts")  # in channels always answer in a thread
        return ReplyTarget(
            surface="message",
            user_id=event.get("user"),
            channel_id=channel,
            thread_ts=thread_ts,
            is_dm=is_dm,
        )
    if "command" in body and "response_url" in body:
        channel = body.get("channel_id")
        return ReplyTarget(
            surface="command",
            user_id=body.get("user_id"),
            channel_id=channel,
            response_url=body.get("response_url"),
            is_dm=_is_dm_channel(channel) or body.get("channel_name") == "directmessage",
        )
    if body.get("type") in {"block_actions", "interactive_message"}:
        container = body.get("container") or {}
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        response_url = body.get("response_url")
        if channel is None and response_url is None:
            return ReplyTarget(surface="home", user_id=(body.get("user") or {}).get("id"))
        return ReplyTarget(
            surface="action",
            user_id=(body.get("user") or {}).get("id"),
            channel_id=channel,
            thread_ts=message.get("thread_ts") or container.get("thread_ts"),
            response_url=response_url,
            is_dm=_is_dm_channel(channel),
        )
    user = body.get("user")
    user_id = user.get("id") if isinstance(user, dict) else None
    if body.get("type") == "view_submission" and user_id:
        # A submitted modal has no message to answer under: a refusal or an error goes to
        # the person's DM with csbot, where only they see it.
        return ReplyTarget(surface="view", user_id=user_id, channel_id=user_id, is_dm=True)
    return ReplyTarget(surface="none", user_id=user_id)


def send_reply(
    client: WebClient,
    target: ReplyTarget,
    message: SlackMessage,
    *,
    ephemeral: bool,
    replace_original: bool = False,
) -> str | None:
    """Send ``message`` to ``target``; returns the posted message ts when Slack gives one.

    ``ephemeral`` only matters where others could see the reply (channels); a DM
    reply is always a normal message. Commands and clicks answer through their
    ``response_url``, which needs no channel membership.

    Raises:
        CannotPostHere: csbot is not in the channel (the person is told how to fix it).
        slack_sdk.errors.SlackApiError: any other refusal (the caller's error handler
            turns that into an apology and a log line).
    """
    if target.response_url:
        respond_via_url(
            target.response_url, message, ephemeral=ephemeral, replace_original=replace_original
        )
        return None
    if target.channel_id is None:
        logger.info("no conversation to reply in", extra={"surface": target.surface})
        return None
    channel_id = target.channel_id
    try:
        if ephemeral and target.in_channel and target.user_id:
            user_id = target.user_id
            with_retries(
                lambda: client.chat_postEphemeral(
                    channel=channel_id,
                    user=user_id,
                    text=message.text,
                    blocks=message.blocks or None,
                    thread_ts=target.thread_ts,
                ),
                what="chat.postEphemeral",
            )
            return None
        reply_id = uuid.uuid4().hex
        started = time.time()
        result = with_retries(
            lambda: client.chat_postMessage(
                channel=channel_id,
                text=message.text,
                blocks=message.blocks or None,
                thread_ts=target.thread_ts,
                metadata={"event_type": REPLY_EVENT_TYPE, "event_payload": {"reply_id": reply_id}},
            ),
            what="chat.postMessage",
            already_done=lambda: _posted_reply(
                client, channel_id, target.thread_ts, reply_id, since=started
            ),
        )
    except SlackApiError as error:
        code = str(error.response.get("error"))
        if code in CANNOT_POST_ERRORS:
            raise CannotPostHere(code) from error
        raise
    if isinstance(result, str):
        return result
    return str(result.get("ts")) if result.get("ts") else None


def is_transient(error: Exception) -> bool:
    """A failure worth trying again: Slack's 5xx, or no answer at all (reset, timeout)."""
    if isinstance(error, SlackApiError):
        return int(getattr(error.response, "status_code", 200) or 200) >= 500
    return isinstance(error, OSError | TimeoutError)


def with_retries(
    send: Callable[[], T],
    *,
    what: str,
    already_done: Callable[[], str | None] | None = None,
    delays: tuple[float, ...] = REPLY_RETRY_DELAYS,
    sleep: Callable[[float], None] = time.sleep,
) -> T | str:
    """Call ``send``; after a transient failure wait and try again (``delays``), then raise.

    ``already_done`` is asked before each retry whether the failed attempt took effect
    anyway; its answer (the posted ts) is returned instead of sending twice.
    """
    for attempt, delay in enumerate((*delays, None), start=1):
        try:
            return send()
        except Exception as error:
            if delay is None or not is_transient(error):
                raise
            logger.warning(
                "Slack reply failed; retrying",
                extra={
                    "slack_method": what,
                    "attempt": attempt,
                    "error_type": type(error).__name__,
                },
            )
        sleep(delay)
        if already_done is not None:
            found = already_done()
            if found is not None:
                logger.info("reply was posted despite the error", extra={"slack_method": what})
                return found
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _posted_reply(
    client: WebClient, channel: str, thread_ts: str | None, reply_id: str, *, since: float
) -> str | None:
    """The ts of our reply if a "failed" post is in the conversation after all."""
    try:
        arguments: dict[str, Any] = {
            "channel": channel,
            "oldest": f"{since - REPLY_LOOKBACK_SECONDS:.6f}",
            "limit": 50,
            "include_all_metadata": True,
        }
        if thread_ts:
            response = client.conversations_replies(ts=thread_ts, **arguments)
        else:
            response = client.conversations_history(**arguments)
    except Exception:  # noqa: BLE001 - unreadable: retrying beats losing the answer
        logger.warning("could not check the conversation before retrying a reply")
        return None
    for found in response.get("messages") or []:
        metadata = found.get("metadata") or {}
        if (
            metadata.get("event_type") == REPLY_EVENT_TYPE
            and (metadata.get("event_payload") or {}).get("reply_id") == reply_id
        ):
            return str(found.get("ts"))
    return None


def respond_via_url(
    response_url: str,
    message: SlackMessage,
    *,
    ephemeral: bool = True,
    replace_original: bool = False,
    delete_original: bool = False,
) -> None:
    """Post to a ``response_url`` (commands and clicks; up to 5 uses in 30 minutes).

    Raises:
        IntegrationError: when Slack refuses the post (expired or used-up URL, bad blocks).
    """
    client = WebhookClient(
        response_url,
        timeout=15,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(),
        ],
    )

    def post() -> None:
        if delete_original:
            response = client.send_dict({"delete_original": True})
        else:
            response = client.send(
                text=message.text,
                blocks=message.blocks or None,
                response_type="ephemeral" if ephemeral else "in_channel",
                replace_original=replace_original,
            )
        if response.status_code >= 500:
            raise _TransientWebhookError(response.status_code, response.body)
        if response.status_code >= 400:
            raise IntegrationError(
                "Slack refused the response_url post: "
                f"HTTP {response.status_code} {response.body[:200]}"
            )

    try:
        with_retries(post, what="response_url")
    except _TransientWebhookError as error:
        raise IntegrationError(f"Slack refused the response_url post: {error}") from error


class _TransientWebhookError(OSError):
    """A 5xx from a ``response_url``: retried like a dropped connection."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status} {body[:200]}")
