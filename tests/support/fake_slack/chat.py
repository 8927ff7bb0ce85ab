"""``chat.*``: post, post ephemeral and update, with Slack's content checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.support.blockcheck import block_problems
from tests.support.fake_slack.faults import SlackErrorResponse
from tests.support.fake_slack.state import FakeEphemeral, FakeMessage, message_json

if TYPE_CHECKING:
    from tests.support.fake_slack.server import FakeSlackApi, MethodHandler


def check_message_content(fake: FakeSlackApi, args: dict[str, Any]) -> None:
    """``no_text``, ``msg_too_long`` and ``invalid_blocks`` as Slack answers them."""
    blocks = args.get("blocks")
    if (
        not args.get("text")
        and not blocks
        and not args.get("attachments")
        and not args.get("markdown_text")
    ):
        raise SlackErrorResponse("no_text")
    if isinstance(args.get("text"), str) and len(args["text"]) > 40_000:
        raise SlackErrorResponse("msg_too_long")
    if blocks is not None and fake.validate_blocks:
        problems = block_problems(blocks, surface="message")
        if problems:
            raise SlackErrorResponse(
                "invalid_blocks", errors=problems, response_metadata={"messages": problems}
            )


def post_message(fake: FakeSlackApi, args: dict[str, Any]) -> dict[str, Any]:
    channel = fake._channel(args.get("channel"), for_posting=True)
    check_message_content(fake, args)
    fake._rate_limit(channel.id)
    message = FakeMessage(
        channel=channel.id,
        ts=fake._next_ts(),
        text=args.get("text"),
        blocks=args.get("blocks"),
        thread_ts=args.get("thread_ts") or None,
        user=fake.bot_user_id,
        metadata=args.get("metadata"),
    )
    fake.messages_by_channel[channel.id].append(message)
    result: dict[str, Any] = {
        "channel": channel.id,
        "ts": message.ts,
        "message": message_json(message),
    }
    if args.get("blocks") and not args.get("text"):
        result["response_metadata"] = {"warnings": ["missing_text_in_message"]}
    return result


def post_ephemeral(fake: FakeSlackApi, args: dict[str, Any]) -> dict[str, Any]:
    channel = fake._channel(args.get("channel"), for_posting=True)
    if not args.get("user"):
        raise SlackErrorResponse("user_not_found")
    check_message_content(fake, args)
    ephemeral = FakeEphemeral(
        channel=channel.id,
        user=str(args["user"]),
        text=args.get("text"),
        blocks=args.get("blocks"),
        thread_ts=args.get("thread_ts") or None,
        message_ts=fake._next_ts(),
    )
    fake.ephemeral.append(ephemeral)
    return {"message_ts": ephemeral.message_ts}


def update(fake: FakeSlackApi, args: dict[str, Any]) -> dict[str, Any]:
    channel = fake._channel(args.get("channel"))
    message = fake._find_message(channel.id, args.get("ts"))
    if message.user != fake.bot_user_id:
        raise SlackErrorResponse("cant_update_message")
    if "blocks" in args or "text" in args:
        check_message_content(fake, {**message_json(message), **args})
    if "text" in args:
        message.text = args["text"]
    if "blocks" in args:
        message.blocks = args["blocks"]
    return {
        "channel": channel.id,
        "ts": message.ts,
        "text": message.text or "",
        "message": message_json(message),
    }


METHODS: dict[str, MethodHandler] = {
    "chat.postMessage": post_message,
    "chat.postEphemeral": post_ephemeral,
    "chat.update": update,
}
