"""How the outbox talks to Slack: one small interface, a real sender and a recording one.

The real sender turns every Slack failure (HTTP error, ``ok: false``, connection
reset) into one ``SlackDeliveryError`` carrying the error code and ``Retry-After``, so
the outbox can record it on the alert and schedule the retry. The recording sender
is what ``--dry-run`` uses: it prints payloads instead of sending them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from slack_sdk import WebClient

logger = logging.getLogger(__name__)


class SlackDeliveryError(Exception):
    """Slack refused or could not be reached; ``retry_after`` is set on 429."""

    def __init__(self, code: str, *, status: int | None = None, retry_after: float | None = None):
        self.code = code
        self.status = status
        self.retry_after = retry_after
        detail = f"HTTP {status}: " if status else ""
        super().__init__(f"{detail}{code}")


class SlackSender(Protocol):
    def post(
        self, *, channel: str, text: str, blocks: list[dict[str, Any]], thread_ts: str | None = None
    ) -> tuple[str, str]:
        """Post a message; returns (channel id, ts)."""

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
        self, *, channel: str, text: str, blocks: list[dict[str, Any]], thread_ts: str | None = None
    ) -> tuple[str, str]:
        try:
            response = self.client.chat_postMessage(
                channel=channel, text=text, blocks=blocks, thread_ts=thread_ts, unfurl_links=False
            )
        except Exception as exc:  # noqa: BLE001 - every failure becomes a recorded retry
            raise _error_from_exception(exc) from exc
        return str(response["channel"]), str(response["ts"])

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


@dataclass
class RecordingSender:
    """Collects what would be sent; used by dry runs (and nothing else writes to Slack)."""

    messages: list[dict[str, Any]] = field(default_factory=list)

    def post(
        self, *, channel: str, text: str, blocks: list[dict[str, Any]], thread_ts: str | None = None
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
