"""Pure Block Kit builders: plain values in, validated block dicts (plus fallback text) out.

Builders compose ``slack_sdk.models`` objects and return ``to_dict()`` results, so
Slack's length and shape limits are checked when the message is built, not when
Slack rejects it mid-conversation. No I/O happens here.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.slack.formatting import SECTION_TEXT_LIMIT, split_text, truncate

MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100


def mrkdwn_sections(text: str, *, block_id_prefix: str | None = None) -> list[dict[str, Any]]:
    """Section blocks for ``text`` (already mrkdwn-safe), split to fit 3,000 characters each."""
    blocks: list[dict[str, Any]] = []
    for index, chunk in enumerate(split_text(text, SECTION_TEXT_LIMIT)):
        block_id = f"{block_id_prefix}_{index}" if block_id_prefix else None
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=chunk or " "), block_id=block_id).to_dict()
        )
    return blocks


def context_line(text: str, *, block_id: str | None = None) -> dict[str, Any]:
    """A small grey line (data freshness, attribution, hints)."""
    return ContextBlock(
        elements=[MarkdownTextObject(text=truncate(text, SECTION_TEXT_LIMIT))], block_id=block_id
    ).to_dict()


def to_dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    return [block.to_dict() for block in blocks]
