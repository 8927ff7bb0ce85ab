"""Pieces every answer is made of: title, facts grid, bullet lists, the "data as of" line.

Answers about accounts and portfolios (``account_answer``, ``portfolio_answer``)
and the App Home compose these, so limits (header 150 chars, 10 fields of
2,000, sections of 3,000) are enforced in one place. Store text (names,
subjects, comments) is escaped here or by the caller with ``escape_mrkdwn``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.slack.action_values import AnswerRef
from bot.slack.blocks import context_line, mrkdwn_sections
from bot.slack.formatting import escape_mrkdwn, truncate
from bot.slack.ids import ActionId, indexed_action_id

HEADER_LIMIT = 150
FIELD_LIMIT = 2000
FIELDS_PER_SECTION = 10
BUTTON_TEXT_LIMIT = 75
FRESHNESS_BLOCK_ID = "answer_freshness"

Blocks = list[dict[str, Any]]


def title(text: str) -> dict[str, Any]:
    return HeaderBlock(text=truncate(text, HEADER_LIMIT)).to_dict()


def paragraph(text: str) -> Blocks:
    """Already-escaped mrkdwn as one or more sections."""
    return mrkdwn_sections(text)


def facts(pairs: Sequence[tuple[str, str]]) -> Blocks:
    """A two-column grid of ``label: value`` (values already mrkdwn-safe)."""
    blocks: Blocks = []
    for start in range(0, len(pairs), FIELDS_PER_SECTION):
        chunk = pairs[start : start + FIELDS_PER_SECTION]
        fields = [
            MarkdownTextObject(text=truncate(f"*{label}*\n{value}", FIELD_LIMIT))
            for label, value in chunk
        ]
        blocks.append(SectionBlock(fields=fields).to_dict())
    return blocks


def bullets(heading: str | None, lines: Sequence[str]) -> Blocks:
    """A titled bullet list (lines already mrkdwn-safe); nothing when there are no lines."""
    if not lines:
        return []
    body = "\n".join(f"• {line}" for line in lines)
    return mrkdwn_sections(f"*{heading}*\n{body}" if heading else body)


def divider() -> dict[str, Any]:
    return DividerBlock().to_dict()


def note(text: str) -> dict[str, Any]:
    """A small grey remark (caveats such as "visibility limited to your book")."""
    return context_line(text)


def freshness(line: str) -> dict[str, Any]:
    """The closing "data as of" line every answer carries."""
    return context_line(line, block_id=FRESHNESS_BLOCK_ID)


def account_buttons(
    question: str,
    accounts: Sequence[tuple[str, str]],
    *,
    intent: str | None,
    thread_ts: str | None,
    block_id: str,
) -> dict[str, Any]:
    """One button per ``(account_id, name)`` that re-asks ``question`` about that account."""
    buttons = [
        ButtonElement(
            text=truncate(name, BUTTON_TEXT_LIMIT),
            action_id=indexed_action_id(ActionId.CHOOSE_ACCOUNT, position),
            value=AnswerRef.for_question(
                question, account_id=account_id, intent=intent, thread_ts=thread_ts
            ).to_value(),
        )
        for position, (account_id, name) in enumerate(accounts)
    ]
    return ActionsBlock(block_id=block_id, elements=buttons).to_dict()


def build_not_found_blocks(
    query: str,
    suggestions: Sequence[tuple[str, str]],
    *,
    question: str,
    intent: str | None,
    thread_ts: str | None,
) -> Blocks:
    """ "No account named X — did you mean …?" with a button per suggestion."""
    safe = escape_mrkdwn(query)
    if suggestions:
        names = ", ".join(f"*{escape_mrkdwn(name)}*" for _, name in suggestions)
        blocks = paragraph(f"No account named “{safe}” — did you mean {names}?")
        blocks.append(
            account_buttons(
                question, suggestions, intent=intent, thread_ts=thread_ts, block_id="did_you_mean"
            )
        )
        return blocks
    return paragraph(
        f"No account named “{safe}” among the accounts you can see. "
        "Check the spelling, or ask “my accounts” to list them."
    )


def build_refusal_blocks() -> Blocks:
    return paragraph(
        "Sorry — I don't know you yet, so I can't share account data. "
        "Ask your csbot admin to add your Slack user to the CSM list (`csms.slack_user_id`)."
    )


def build_which_account_blocks(example: str) -> Blocks:
    return paragraph(f"Which account do you mean? For example: “{escape_mrkdwn(example)}”.")
