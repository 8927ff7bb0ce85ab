"""Block Kit validation for tests: ``slack_sdk.models`` plus the limits it does not check.

``Block.parse(d).to_dict()`` raises on length/required-field violations but silently
drops keys it does not know and returns ``None`` for unknown block types, and the
``Message`` model is deprecated, so message-level limits (50 blocks, fallback text,
unique ids, total size) are checked here. The fake Slack API runs the same checks
and answers ``invalid_blocks`` like Slack would.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100
TEXT_LIMIT = 3000
MESSAGE_TOTAL_TEXT_BUDGET = 12_000  # Slack answers msg_blocks_too_long around ~13k (bolt-js#2509)
MESSAGE_TEXT_LIMIT = 40_000


def block_problems(blocks: Any, *, surface: str = "message") -> list[str]:
    """Everything wrong with ``blocks`` for ``surface`` (message | modal | home), as text."""
    if not isinstance(blocks, list):
        return [f"blocks must be a list, got {type(blocks).__name__}"]
    problems: list[str] = []
    limit = MESSAGE_BLOCK_LIMIT if surface == "message" else VIEW_BLOCK_LIMIT
    if len(blocks) > limit:
        problems.append(f"{len(blocks)} blocks; a {surface} allows at most {limit}")
    block_ids: list[str] = []
    total_text = 0
    for index, block in enumerate(blocks):
        where = f"blocks[{index}]"
        if not isinstance(block, dict):
            problems.append(f"{where}: not an object")
            continue
        problems.extend(_single_block_problems(block, where))
        if block.get("block_id"):
            block_ids.append(str(block["block_id"]))
        action_ids = [
            str(element.get("action_id"))
            for element in _elements(block)
            if isinstance(element, dict) and element.get("action_id")
        ]
        for action_id, count in Counter(action_ids).items():
            if count > 1:
                problems.append(f"{where}: action_id {action_id!r} used {count} times in one block")
        for path, text in _texts(block, where):
            total_text += len(text)
            if len(text) > TEXT_LIMIT and block.get("type") != "markdown":
                problems.append(f"{path}: text is {len(text)} chars (limit {TEXT_LIMIT})")
    for block_id, count in Counter(block_ids).items():
        if count > 1:
            problems.append(f"block_id {block_id!r} used {count} times")
    if surface == "message" and total_text > MESSAGE_TOTAL_TEXT_BUDGET:
        problems.append(
            f"{total_text} chars of text across blocks (budget {MESSAGE_TOTAL_TEXT_BUDGET})"
        )
    return problems


def view_problems(view: Any) -> list[str]:
    """Problems with a modal or Home tab view (title, blocks, metadata, home rules)."""
    if not isinstance(view, dict):
        return [f"view must be an object, got {type(view).__name__}"]
    surface = view.get("type")
    if surface not in {"modal", "home"}:
        return [f"view type must be modal or home, got {surface!r}"]
    problems: list[str] = []
    try:
        View(**view).to_dict()
    except (SlackObjectFormationError, TypeError, ValueError) as error:
        problems.append(f"view: {error}")
    if not view.get("blocks"):
        problems.append("view: at least one block is required")
    problems.extend(block_problems(view.get("blocks") or [], surface=str(surface)))
    return problems


def message_problems(args: dict[str, Any]) -> list[str]:
    """Problems with ``chat.postMessage``-style arguments (text fallback and blocks)."""
    problems: list[str] = []
    text = args.get("text")
    blocks = args.get("blocks")
    if blocks and not (isinstance(text, str) and text.strip()):
        problems.append("blocks without a fallback text (notifications and screen readers)")
    if not blocks and not text and not args.get("attachments"):
        problems.append("no text and no blocks")
    if isinstance(text, str) and len(text) > MESSAGE_TEXT_LIMIT:
        problems.append(f"text is {len(text)} chars (Slack truncates above {MESSAGE_TEXT_LIMIT})")
    if blocks:
        problems.extend(block_problems(blocks, surface="message"))
    return problems


def assert_valid_blocks(blocks: Any, *, surface: str = "message") -> None:
    problems = block_problems(blocks, surface=surface)
    assert not problems, "invalid blocks:\n  " + "\n  ".join(problems)


def assert_valid_view(view: Any) -> None:
    problems = view_problems(view)
    assert not problems, "invalid view:\n  " + "\n  ".join(problems)


def assert_valid_message(args: dict[str, Any]) -> None:
    problems = message_problems(args)
    assert not problems, "invalid message:\n  " + "\n  ".join(problems)


# --------------------------------------------------------------------------- internals
def _single_block_problems(block: dict[str, Any], where: str) -> list[str]:
    try:
        parsed = Block.parse(dict(block))
    except (SlackObjectFormationError, TypeError, ValueError, KeyError) as error:
        return [f"{where}: {error}"]
    if parsed is None:
        return [f"{where}: unknown block type {block.get('type')!r}"]
    try:
        rendered = parsed.to_dict()
    except (SlackObjectFormationError, TypeError, ValueError, KeyError) as error:
        return [f"{where} ({block.get('type')}): {error}"]
    return [f"{where}: {path}: unknown key" for path in _dropped_keys(block, rendered, "")]


def _dropped_keys(original: Any, rendered: Any, path: str) -> Iterable[str]:
    """Keys present in ``original`` that ``to_dict`` dropped: slack_sdk did not know them."""
    if isinstance(original, dict) and isinstance(rendered, dict):
        for key, value in original.items():
            if value is None:
                continue
            if key not in rendered:
                yield f"{path}.{key}" if path else key
            else:
                yield from _dropped_keys(value, rendered[key], f"{path}.{key}" if path else key)
    elif isinstance(original, list) and isinstance(rendered, list):
        for index, (left, right) in enumerate(zip(original, rendered, strict=False)):
            yield from _dropped_keys(left, right, f"{path}[{index}]")


def _elements(block: dict[str, Any]) -> list[Any]:
    elements = list(block.get("elements") or [])
    if isinstance(block.get("accessory"), dict):
        elements.append(block["accessory"])
    if isinstance(block.get("element"), dict):
        elements.append(block["element"])
    return elements


def _texts(node: Any, path: str) -> Iterable[tuple[str, str]]:
    """Every text-object string under ``node`` with its path."""
    if isinstance(node, dict):
        if node.get("type") in {"mrkdwn", "plain_text"} and isinstance(node.get("text"), str):
            yield path, node["text"]
            return
        if node.get("type") == "markdown" and isinstance(node.get("text"), str):
            yield path, node["text"]
            return
        for key, value in node.items():
            yield from _texts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _texts(value, f"{path}[{index}]")
