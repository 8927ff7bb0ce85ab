"""Reading Block Kit payloads in tests: the buttons and menus a message offers."""

from __future__ import annotations

from typing import Any


def action_elements(blocks: list[dict[str, Any]] | None, prefix: str = "") -> list[dict[str, Any]]:
    """Every element of every ``actions`` block whose action id starts with ``prefix``."""
    return [
        element
        for block in blocks or []
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"].startswith(prefix)
    ]


def action_ids(message: dict[str, Any]) -> set[str]:
    """The action ids a posted message (``chat.postMessage`` / response_url args) offers."""
    return {element["action_id"] for element in action_elements(message.get("blocks"))}
