"""``views.*``: the Home tab and modals, with trigger ids that expire and the 3-view stack."""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any

from tests.support.blockcheck import view_problems
from tests.support.fake_slack.faults import SlackErrorResponse

if TYPE_CHECKING:
    from tests.support.fake_slack.server import FakeSlackApi, MethodHandler

TRIGGER_TTL_SECONDS = 3.0
VIEW_STACK_LIMIT = 3


def issue_trigger_id(fake: FakeSlackApi) -> str:
    """A trigger id that expires after 3 s and works once (unknown ids are accepted)."""
    trigger = f"{next(fake._sequence)}.{int(time.time())}.{uuid.uuid4().hex[:16]}"
    with fake._lock:
        fake._triggers[trigger] = (time.time(), False)
    return trigger


def _use_trigger(fake: FakeSlackApi, trigger_id: Any) -> None:
    if not trigger_id:
        raise SlackErrorResponse("invalid_arguments")
    issued = fake._triggers.get(trigger_id)
    if issued is None:
        return  # not issued by us: accepted (payload fixtures use made-up ids)
    issued_at, used = issued
    if used:
        raise SlackErrorResponse("exchanged_trigger_id")
    if time.time() - issued_at > TRIGGER_TTL_SECONDS:
        raise SlackErrorResponse("expired_trigger_id")
    fake._triggers[trigger_id] = (issued_at, True)


def _check_view(fake: FakeSlackApi, view: Any, expected: str | None = None) -> dict[str, Any]:
    if not isinstance(view, dict):
        raise SlackErrorResponse("invalid_arguments", response_metadata={"messages": ["view"]})
    if expected and view.get("type") != expected:
        raise SlackErrorResponse(
            "invalid_arguments",
            response_metadata={"messages": [f"view.type must be {expected}"]},
        )
    problems = view_problems(view) if fake.validate_blocks else []
    if problems:
        raise SlackErrorResponse("invalid_arguments", response_metadata={"messages": problems})
    return view


def _store_view(
    fake: FakeSlackApi, view: dict[str, Any], *, view_id: str | None = None
) -> dict[str, Any]:
    view_id = view_id or f"V{next(fake._sequence):08d}"
    stored = dict(view, id=view_id, hash=uuid.uuid4().hex[:16], team_id=fake.team_id)
    fake.views[view_id] = stored
    return stored


def publish(fake: FakeSlackApi, args: dict[str, Any]) -> dict[str, Any]:
    user_id = args.get("user_id")
    if not user_id:
        raise SlackErrorResponse("invalid_arguments")
    view = _check_view(fake, args.get("view"), expected="home")
    previous = fake.home_views.get(str(user_id))
    if args.get("hash") and previous and previous.get("hash") != args["hash"]:
        raise SlackErrorResponse("hash_conflict")
    stored = _store_view(fake, view, view_id=previous["id"] if previous else None)
    fake.home_views[str(user_id)] = stored
    return {"view": stored}


def open_view(fake: FakeSlackApi, args: dict[str, Any]) -> dict[str, Any]:
    _use_trigger(fake, args.get("trigger_id"))
    view = _check_view(fake, args.get("view"), expected="modal")
    stored = _store_view(fake, view)
    fake.view_stacks[stored["id"]] = [stored["id"]]
    return {"view": stored}


def push(fake: FakeSlackApi, args: dict[str, Any]) -> dict[str, Any]:
    """No product code pushes views; the harness test keeps the stack limit honest."""
    _use_trigger(fake, args.get("trigger_id"))
    view = _check_view(fake, args.get("view"), expected="modal")
    root = next((root for root, stack in fake.view_stacks.items() if stack), None)
    stack = fake.view_stacks.get(root or "", [])
    if len(stack) >= VIEW_STACK_LIMIT:
        raise SlackErrorResponse("push_limit_reached")
    stored = _store_view(fake, view)
    stack.append(stored["id"])
    return {"view": stored}


def update(fake: FakeSlackApi, args: dict[str, Any]) -> dict[str, Any]:
    view_id = args.get("view_id")
    if not view_id and args.get("external_id"):
        view_id = next(
            (vid for vid, v in fake.views.items() if v.get("external_id") == args["external_id"]),
            None,
        )
    if not view_id or view_id not in fake.views:
        raise SlackErrorResponse("not_found")
    current = fake.views[view_id]
    if args.get("hash") and current.get("hash") != args["hash"]:
        raise SlackErrorResponse("hash_conflict")
    view = _check_view(fake, args.get("view"), expected=current.get("type"))
    return {"view": _store_view(fake, view, view_id=view_id)}


METHODS: dict[str, MethodHandler] = {
    "views.publish": publish,
    "views.open": open_view,
    "views.update": update,
    "views.push": push,
}
