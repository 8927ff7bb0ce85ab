"""Let the person pick when a name matches several accounts ("acme" → two Acmes)."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from bot.slack.action_values import AnswerRef
from bot.slack.blocks import mrkdwn_sections
from bot.slack.formatting import escape_mrkdwn, truncate
from bot.slack.ids import ActionId, indexed_action_id
from bot.slack.replies import SlackMessage

MAX_CHOICES = 10
BUTTON_TEXT_LIMIT = 75


def build_account_choice_message(
    question: str,
    query: str,
    candidates: Sequence[tuple[str, str]],
    *,
    intent: str | None = None,
    thread_ts: str | None = None,
) -> SlackMessage:
    """A question plus one button per candidate ``(account_id, name)``.

    Each button re-asks ``question`` pinned to its account, as the person who clicks.
    """
    shown = list(candidates)[:MAX_CHOICES]
    text = f"“{query}” matches several accounts — which one did you mean?"
    buttons = [
        ButtonElement(
            text=truncate(name, BUTTON_TEXT_LIMIT),
            action_id=indexed_action_id(ActionId.CHOOSE_ACCOUNT, index),
            value=AnswerRef.for_question(
                question, account_id=account_id, intent=intent, thread_ts=thread_ts
            ).to_value(),
        )
        for index, (account_id, name) in enumerate(shown)
    ]
    blocks = [
        *mrkdwn_sections(escape_mrkdwn(text), block_id_prefix="choose_account_prompt"),
        ActionsBlock(block_id="choose_account", elements=buttons).to_dict(),
    ]
    return SlackMessage(text=text, blocks=blocks)
