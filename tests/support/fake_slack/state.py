"""What the fake Slack remembers: recorded calls, channels, users, messages and views.

Tests assert on this state (what a person would see in Slack), so it lives apart from
the HTTP layer and the method handlers that change it.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support.fake_slack.faults import SlackErrorResponse


@dataclass
class RecordedCall:
    """One request as the fake saw it, and what it answered."""

    method: str
    args: dict[str, Any]
    token: str | None
    at: float
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)
    thread: str = ""


@dataclass
class FakeMessage:
    channel: str
    ts: str
    text: str | None
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None = None
    user: str | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, Any] | None = None


@dataclass
class FakeEphemeral:
    channel: str
    user: str
    text: str | None
    blocks: list[dict[str, Any]] | None
    thread_ts: str | None
    message_ts: str


@dataclass
class FakeChannel:
    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    is_member: bool = True
    user: str | None = None
    deleted: bool = False


class SlackState:
    """The workspace as the fake sees it; every change happens under ``_lock``."""

    team_id: str
    bot_user_id: str
    strict_channels: bool

    def _init_state(self) -> None:
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._sequence = itertools.count(1)

    def _reset_state(self) -> None:
        """Forget calls, users, channels, messages, views, uploads and socket sessions."""
        self._calls: list[RecordedCall] = []
        self.channels: dict[str, FakeChannel] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.messages_by_channel: dict[str, list[FakeMessage]] = defaultdict(list)
        self.ephemeral: list[FakeEphemeral] = []
        self.home_views: dict[str, dict[str, Any]] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.view_stacks: dict[str, list[str]] = {}
        self.statuses: list[dict[str, Any]] = []
        self.suggested_prompts: list[dict[str, Any]] = []
        self.uploads: dict[str, dict[str, Any]] = {}
        self._triggers: dict[str, tuple[float, bool]] = {}
        self._hook_uses: dict[str, list[float]] = defaultdict(list)
        self._hook_created: dict[str, float] = {}
        self.socket_sessions: list[Any] = []
        self.socket_acks: list[dict[str, Any]] = []
        self.socket_mode_enabled = True

    # ------------------------------------------------------------------ setup
    def add_user(
        self,
        user_id: str,
        name: str | None = None,
        *,
        real_name: str | None = None,
        email: str | None = None,
        tz: str = "UTC",
        is_bot: bool = False,
    ) -> dict[str, Any]:
        user = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name or user_id.lower(),
            "real_name": real_name or name or user_id,
            "tz": tz,
            "is_bot": is_bot,
            "deleted": False,
            "profile": {
                "email": email,
                "real_name": real_name or name or user_id,
                "display_name": name or user_id.lower(),
            },
        }
        with self._lock:
            self.users[user_id] = user
        return user

    def add_channel(
        self,
        channel_id: str,
        name: str | None = None,
        *,
        is_private: bool = False,
        is_member: bool = True,
    ) -> FakeChannel:
        channel = FakeChannel(
            id=channel_id,
            name=name or channel_id.lower(),
            is_private=is_private,
            is_member=is_member,
            is_im=channel_id.startswith("D"),
        )
        with self._lock:
            self.channels[channel_id] = channel
        return channel

    def remove_channel(self, channel_id: str) -> None:
        """From now on the channel answers ``channel_not_found`` (deleted or never shared)."""
        with self._lock:
            self.channels[channel_id] = FakeChannel(
                id=channel_id, name="", is_member=False, deleted=True
            )

    # ------------------------------------------------------------------ inspection
    def requests(self, method: str | None = None) -> list[RecordedCall]:
        """Every recorded request (failed ones too), oldest first."""
        with self._lock:
            return [call for call in self._calls if method is None or call.method == method]

    def calls(self, method: str) -> list[dict[str, Any]]:
        """Arguments of the successful calls of ``method`` (``"response_url"`` for webhooks)."""
        return [
            call.args
            for call in self.requests(method)
            if call.status == 200 and call.response.get("ok", True)
        ]

    def wait_for(
        self,
        method: str,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        *,
        count: int = 1,
        timeout: float = 5.0,
    ) -> list[dict[str, Any]]:
        """Block until ``count`` successful calls of ``method`` match ``predicate``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                matching = [
                    args for args in self.calls(method) if predicate is None or predicate(args)
                ]
                if len(matching) >= count:
                    return matching
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [call.method for call in self._calls]
                    raise AssertionError(
                        f"expected {count} {method} call(s) within {timeout}s, "
                        f"got {len(matching)}; calls seen: {seen}"
                    )
                self._changed.wait(remaining)

    def wait_quiet(self, seconds: float = 0.3, timeout: float = 10.0) -> None:
        """Wait until no call arrived for ``seconds`` (to assert nothing *else* happens)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                last = self._calls[-1].at if self._calls else 0.0
            idle = time.time() - last
            if idle >= seconds:
                return
            time.sleep(seconds - idle)

    def messages(self, channel: str, *, include_replies: bool = True) -> list[FakeMessage]:
        with self._lock:
            return [
                message
                for message in self.messages_by_channel.get(channel, [])
                if include_replies or message.thread_ts is None
            ]

    def thread(self, channel: str, thread_ts: str) -> list[FakeMessage]:
        return [m for m in self.messages(channel) if m.thread_ts == thread_ts]

    def all_messages(self) -> list[FakeMessage]:
        with self._lock:
            return [m for ms in self.messages_by_channel.values() for m in ms]

    # ------------------------------------------------------------------ helpers for methods
    def _record(self, call: RecordedCall) -> None:
        with self._changed:
            self._calls.append(call)
            self._changed.notify_all()

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._sequence):06d}"

    def _channel(self, channel_id: Any, *, for_posting: bool = False) -> FakeChannel:
        if not channel_id or not isinstance(channel_id, str):
            raise SlackErrorResponse("channel_not_found")
        if channel_id.startswith(("U", "W")):  # posting to a user id opens the DM
            channel_id = "D" + channel_id
        channel = self.channels.get(channel_id)
        if channel is not None and channel.deleted:
            raise SlackErrorResponse("channel_not_found")
        if channel is None:
            if self.strict_channels and not channel_id.startswith("D"):
                raise SlackErrorResponse("channel_not_found")
            channel = FakeChannel(
                id=channel_id, name=channel_id.lower(), is_im=channel_id.startswith("D")
            )
            self.channels[channel_id] = channel
        if for_posting and not channel.is_member and not channel.is_im:
            raise SlackErrorResponse("not_in_channel")
        return channel

    def _find_message(self, channel: str, ts: Any) -> FakeMessage:
        for message in self.messages_by_channel.get(channel, []):
            if message.ts == ts:
                return message
        raise SlackErrorResponse("message_not_found")


def message_json(message: FakeMessage, *, with_metadata: bool = True) -> dict[str, Any]:
    """A stored message as Slack's API returns it."""
    data: dict[str, Any] = {
        "type": "message",
        "ts": message.ts,
        "text": message.text or "",
        "user": message.user,
    }
    if message.blocks is not None:
        data["blocks"] = message.blocks
    if message.thread_ts:
        data["thread_ts"] = message.thread_ts
    if message.files:
        data["files"] = message.files
    if message.metadata and with_metadata:
        data["metadata"] = message.metadata
    return data
