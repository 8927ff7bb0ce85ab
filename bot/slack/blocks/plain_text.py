"""Block Kit blocks rendered as plain text: the message fallback and the terminal view.

Deriving the text from the blocks (instead of writing each answer twice) means
the terminal, notifications and screen readers always say exactly what the
blocks say.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")
_LINK = re.compile(r"<([^|<>]+)\|([^<>]+)>")


def _plain(mrkdwn: str) -> str:
    text = _LINK.sub(r"\2", mrkdwn)
    text = _BOLD.sub(r"\1", text)
    text = _ITALIC.sub(r"\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text_of(obj: Any) -> str:
    if isinstance(obj, dict):
        return _plain(str(obj.get("text", "")))
    return ""


def _field(field: dict[str, Any]) -> str:
    label, _, value = _text_of(field).partition("\n")
    return f"{label}: {value}" if value else label


def blocks_to_text(blocks: Iterable[dict[str, Any]]) -> str:
    """One readable plain-text rendering of ``blocks`` (no mrkdwn markers, no escapes)."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            heading = _text_of(block.get("text"))
            lines.extend([heading, "=" * min(len(heading), 60)])
        elif kind == "section":
            if block.get("text"):
                lines.append(_text_of(block["text"]))
            lines.extend(_field(field) for field in block.get("fields") or [])
        elif kind == "context":
            parts = [_text_of(element) for element in block.get("elements") or []]
            lines.append(" · ".join(part for part in parts if part))
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "actions":
            labels = [_text_of(element.get("text")) for element in block.get("elements") or []]
            lines.append("  ".join(f"[{label}]" for label in labels if label))
        elif kind in ("markdown", "rich_text"):
            lines.append(_plain(str(block.get("text", ""))))
    return "\n".join(line for line in lines if line is not None).strip()
