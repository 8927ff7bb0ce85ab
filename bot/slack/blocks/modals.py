"""Modal views as plain dicts: the frame, input blocks and their choice elements.

Shared by the CTA and escalation modals so each builder says only what its form asks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def section(text: str) -> dict[str, Any]:
    """One mrkdwn section; the caller keeps ``text`` within Slack's 3,000 characters."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def modal(
    *,
    callback_id: str,
    title: str,
    blocks: list[dict[str, Any]],
    close: str = "Cancel",
    submit: str | None = None,
    private_metadata: str | None = None,
) -> dict[str, Any]:
    """A modal view; without ``submit`` it has only the close button (a notice)."""
    view: dict[str, Any] = {"type": "modal", "callback_id": callback_id}
    if private_metadata is not None:
        view["private_metadata"] = private_metadata
    view["title"] = plain(title)
    if submit is not None:
        view["submit"] = plain(submit)
    view["close"] = plain(close)
    view["blocks"] = blocks
    return view


def input_block(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False
) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "input", "block_id": block_id}
    if optional:
        block["optional"] = True
    block["label"] = plain(label)
    block["element"] = element
    return block


def options(choices: Mapping[str, str]) -> list[dict[str, Any]]:
    """One option per ``value: label``, in the mapping's order."""
    return [{"text": plain(label), "value": value} for value, label in choices.items()]


def choice_element(
    kind: str, action_id: str, choices: Mapping[str, str], *, initial: int | None = None
) -> dict[str, Any]:
    """A ``static_select`` or ``radio_buttons`` over ``choices``; ``initial`` preselects one."""
    element: dict[str, Any] = {"type": kind, "action_id": action_id, "options": options(choices)}
    if initial is not None:
        element["initial_option"] = options(choices)[initial]
    return element


def text_element(action_id: str, *, max_length: int, multiline: bool = False) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": action_id}
    if multiline:
        element["multiline"] = True
    element["max_length"] = max_length
    return element
