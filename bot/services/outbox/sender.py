"""How the outbox talks to Slack: one small interface, a real sender and a recording one.

The real sender turns every Slack failure (HTTP error, ``ok: false``, connection
reset) into one ``SlackDeliveryError`` carrying the error code and ``Retry-After``, so
the outbox can record it on the alert and schedule the retry. A 5xx or a lost
connection is *ambiguous* (Slack may have posted before failing), so every alert
post carries message ``metadata`` with its dedupe key and :meth:`find_posted` can
look for it in the channel before anything is posted again. The recording sender
is what ``--dry-run`` uses: it prints payloads instead of sending them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.services import Services

logger = logging.getLogger(__name__)


class SlackDeliveryError(Exception):
    """Slack refused or could not be reached; ``retry_after`` is set on 429."""

    def __init__(self, code: str, *, status: int | None = None, retry_after: float | None = None):
        self.code = code
        self.status = status
        self.retry_after = retry_after
        detail = f"HTTP {status}: " if status else ""
        super().__init__(f"{detail}{code}")

    @property
    def ambiguous(self) -> bool:
        """True when Slack may have acted anyway: a 5xx, or no HTTP answer at all.

        A 429 or an ``ok: false`` refusal is definite (nothing was posted).
        """
        return self.status is None or self.status >= 500


ALERT_EVENT_TYPE = "csbot_alert"
"""``metadata.event_type`` on every outbox post; ``event_payload.dedupe_key`` names the alert."""
HISTORY_PAGE = 200
HISTORY_MAX_PAGES = 10
"""How far back :meth:`WebClientSender.find_posted` looks: at most 2,000 messages."""


def alert_metadata(dedupe_key: str) -> dict[str, Any]:
    """Slack message metadata that lets the outbox recognise its own post later."""
    return {"event_type": ALERT_EVENT_TYPE, "event_payload": {"dedupe_key": dedupe_key}}


def is_alert_message(message: dict[str, Any], dedupe_key: str) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return metadata.get("event_type") == ALERT_EVENT_TYPE and payload.get("dedupe_key") == (
        dedupe_key
    )


class SlackSender(Protocol):
    def post(
        self,
        *,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]],
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> tuple[str, str]:
        """Post a message; returns (channel id, ts)."""

    def find_posted(
        self, *, channel: str, thread_ts: str | None, dedupe_key: str, oldest: float
    ) -> tuple[str, str] | None:
        """(channel id, ts) of the alert's message if it is in the conversation, else None.

        Raises ``SlackDeliveryError`` when the conversation cannot be read (then the
        caller must not assume either way).
        """

    def update(self, *, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        """Replace a message in place."""

    def upload(
        self, *, channel: str, thread_ts: str | None, content: bytes, filename: str, title: str
    ) -> None:
        """Share a file (charts) in a channel or thread."""


def _error_from_exception(exc: Exception) -> SlackDeliveryError:
    from slack_sdk.errors import SlackApiError

    if isinstance(exc, SlackApiError):
        response = exc.response
        status = getattr(response, "status_code", None)
        headers = getattr(response, "headers", {}) or {}
        retry = headers.get("Retry-After") or headers.get("retry-after")
        if isinstance(retry, list):
            retry = retry[0] if retry else None
        code = "unknown_error"
        try:
            code = str(response.get("error") or code)
        except Exception:  # noqa: BLE001 - a non-JSON body (HTML 500 page)
            code = f"http_{status}"
        return SlackDeliveryError(code, status=status, retry_after=float(retry) if retry else None)
    return SlackDeliveryError(f"{type(exc).__name__}: {exc}")


def without_rate_limit_waits(client: WebClient) -> WebClient:
    """The same client minus the handler that sleeps on 429.

    The shared client waits out ``Retry-After`` inside the call, which would stall the
    whole outbox behind one busy channel. The outbox instead records the 429 on the
    alert, holds that channel until ``Retry-After`` passes and carries on with others.
    """
    from slack_sdk import WebClient as Client
    from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

    handlers = [h for h in client.retry_handlers if not isinstance(h, RateLimitErrorRetryHandler)]
    return Client(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=handlers,
        user_agent_prefix="csbot-outbox",
    )


@dataclass
class WebClientSender:
    """Sends through a ``WebClient`` (its base URL may be Slack, a proxy or the fake)."""

    client: WebClient
    wait_on_rate_limit: bool = False

    def __post_init__(self) -> None:
        if not self.wait_on_rate_limit:
            self.client = without_rate_limit_waits(self.client)

    def post(
        self,
        *,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]],
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> tuple[str, str]:
        try:
            response = self.client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=blocks,
                thread_ts=thread_ts,
                unfurl_links=False,
                metadata=metadata,
            )
        except Exception as exc:  # noqa: BLE001 - every failure becomes a recorded retry
            raise _error_from_exception(exc) from exc
        return str(response["channel"]), str(response["ts"])

    def find_posted(
        self, *, channel: str, thread_ts: str | None, dedupe_key: str, oldest: float
    ) -> tuple[str, str] | None:
        try:
            if channel.startswith(("U", "W")):  # a DM addressed by user id: read the DM itself
                channel = str(self.client.conversations_open(users=channel)["channel"]["id"])
            cursor: str | None = None
            for _ in range(HISTORY_MAX_PAGES):
                arguments: dict[str, Any] = {
                    "channel": channel,
                    "oldest": f"{oldest:.6f}",
                    "limit": HISTORY_PAGE,
                    "include_all_metadata": True,
                    "cursor": cursor,
                }
                if thread_ts:
                    response = self.client.conversations_replies(ts=thread_ts, **arguments)
                else:
                    response = self.client.conversations_history(**arguments)
                for message in response.get("messages") or []:
                    if is_alert_message(message, dedupe_key):
                        return channel, str(message["ts"])
                cursor = (response.get("response_metadata") or {}).get("next_cursor")
                if not response.get("has_more") or not cursor:
                    return None
        except Exception as exc:  # noqa: BLE001 - an unreadable channel is "unknown", not "absent"
            raise _error_from_exception(exc) from exc
        raise SlackDeliveryError("history_too_long")

    def update(self, *, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        try:
            self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except Exception as exc:  # noqa: BLE001
            raise _error_from_exception(exc) from exc

    def upload(
        self, *, channel: str, thread_ts: str | None, content: bytes, filename: str, title: str
    ) -> None:
        try:
            if channel.startswith(("U", "W")):  # file uploads need the DM's conversation id
                channel = str(self.client.conversations_open(users=channel)["channel"]["id"])
            self.client.files_upload_v2(
                channel=channel,
                thread_ts=thread_ts,
                content=content,
                filename=filename,
                title=title,
            )
        except Exception as exc:  # noqa: BLE001
            raise _error_from_exception(exc) from exc


def sender_for(services: Services) -> SlackSender | None:
    """The one place a real sender is built (jobs and handlers alike): through the shared
    ``services.web_client``; None without ``SLACK_BOT_TOKEN`` (messages wait in the outbox)."""
    if not services.settings.slack_enabled:
        return None
    return WebClientSender(services.web_client)


@dataclass
class RecordingSender:
    """Collects what would be sent; used by dry runs (and nothing else writes to Slack)."""

    messages: list[dict[str, Any]] = field(default_factory=list)

    def post(
        self,
        *,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]],
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> tuple[str, str]:
        self.messages.append(
            {
                "method": "chat.postMessage",
                "channel": channel,
                "text": text,
                "blocks": blocks,
                "thread_ts": thread_ts,
            }
        )
        return channel, f"dry-run.{len(self.messages)}"

    def find_posted(
        self, *, channel: str, thread_ts: str | None, dedupe_key: str, oldest: float
    ) -> tuple[str, str] | None:
        return None  # a dry run never posted anything

    def update(self, *, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        self.messages.append(
            {"method": "chat.update", "channel": channel, "ts": ts, "text": text, "blocks": blocks}
        )

    def upload(
        self, *, channel: str, thread_ts: str | None, content: bytes, filename: str, title: str
    ) -> None:
        self.messages.append(
            {
                "method": "files.upload_v2",
                "channel": channel,
                "thread_ts": thread_ts,
                "filename": filename,
                "title": title,
                "bytes": len(content),
            }
        )
