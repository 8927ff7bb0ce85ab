"""``conversations.*``: open a DM, read history and thread replies, paged like Slack."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from tests.support.fake_slack.faults import SlackErrorResponse
from tests.support.fake_slack.state import FakeMessage, message_json

if TYPE_CHECKING:
    from tests.support.fake_slack.server import FakeSlackApi, MethodHandler


def open_conversation(fake: FakeSlackApi, args: dict[str, Any]) -> dict[str, Any]:
    users = [u for u in str(args.get("users") or "").split(",") if u]
    if not users:
        raise SlackErrorResponse("users_list_not_supplied")
    channel_id = "D" + users[0] if len(users) == 1 else "G" + "".join(users)[:10]
    channel = fake._channel(channel_id)
    channel.is_im = len(users) == 1
    channel.user = users[0]
    return {"channel": {"id": channel.id, "is_im": channel.is_im}}


def history(fake: FakeSlackApi, args: dict[str, Any]) -> dict[str, Any]:
    """Top-level messages, newest first, paged like Slack (``limit``, ``cursor``,
    ``oldest``/``latest`` exclusive bounds; ``metadata`` only with ``include_all_metadata``)."""
    channel = fake._channel(args.get("channel"))
    if not channel.is_member and not channel.is_im:
        raise SlackErrorResponse("not_in_channel")
    top = [m for m in fake.messages(channel.id) if m.thread_ts in (None, m.ts)]
    return _page(list(reversed(top)), args)


def replies(fake: FakeSlackApi, args: dict[str, Any]) -> dict[str, Any]:
    channel = fake._channel(args.get("channel"))
    ts = args.get("ts")
    thread = [m for m in fake.messages(channel.id) if m.ts == ts or m.thread_ts == ts]
    if not thread:
        raise SlackErrorResponse("thread_not_found")
    return _page(thread, args)


def _page(messages: list[FakeMessage], args: dict[str, Any]) -> dict[str, Any]:
    oldest = float(args.get("oldest") or 0)
    latest = float(args.get("latest") or math.inf)
    window = [m for m in messages if oldest < float(m.ts) < latest]
    limit = max(1, min(int(args.get("limit") or 100), 1000))
    start = int(args.get("cursor") or 0)
    page = window[start : start + limit]
    with_metadata = str(args.get("include_all_metadata")).lower() in {"true", "1"}
    result: dict[str, Any] = {
        "messages": [message_json(m, with_metadata=with_metadata) for m in page],
        "has_more": start + limit < len(window),
    }
    if result["has_more"]:
        result["response_metadata"] = {"next_cursor": str(start + limit)}
    return result


METHODS: dict[str, MethodHandler] = {
    "conversations.open": open_conversation,
    "conversations.history": history,
    "conversations.replies": replies,
}
