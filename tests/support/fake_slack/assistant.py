"""``assistant.threads.*``: the status line and suggested prompts Bolt's helpers set."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.support.fake_slack.faults import SlackErrorResponse

if TYPE_CHECKING:
    from tests.support.fake_slack.server import FakeSlackApi, MethodHandler


def set_status(fake: FakeSlackApi, args: dict[str, Any]) -> dict[str, Any]:
    if not args.get("channel_id") or not args.get("thread_ts"):
        raise SlackErrorResponse("invalid_arguments")
    if len(args.get("loading_messages") or []) > 10:
        raise SlackErrorResponse("invalid_arguments")
    fake.statuses.append(dict(args))
    return {}


def set_suggested_prompts(fake: FakeSlackApi, args: dict[str, Any]) -> dict[str, Any]:
    prompts = args.get("prompts")
    if not args.get("channel_id") or not isinstance(prompts, list) or not prompts:
        raise SlackErrorResponse("invalid_arguments")
    if len(prompts) > 4:
        raise SlackErrorResponse(
            "invalid_arguments",
            response_metadata={"messages": ["[ERROR] must provide at most 4 prompts"]},
        )
    for prompt in prompts:
        if not isinstance(prompt, dict) or not prompt.get("title") or not prompt.get("message"):
            raise SlackErrorResponse("invalid_arguments")
    fake.suggested_prompts.append(dict(args))
    return {}


METHODS: dict[str, MethodHandler] = {
    "assistant.threads.setStatus": set_status,
    "assistant.threads.setSuggestedPrompts": set_suggested_prompts,
}
