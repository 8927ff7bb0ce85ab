"""Let the person pick when a name matches several accounts ("acme" → two Acmes)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.slack.blocks import mrkdwn_sections
from bot.slack.blocks.answer import account_buttons
from bot.slack.formatting import escape_mrkdwn
from bot.slack.replies import SlackMessage

MAX_CHOICES = 10


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
    blocks = [
        *mrkdwn_sections(escape_mrkdwn(text), block_id_prefix="choose_account_prompt"),
        account_buttons(
            question, shown, intent=intent, thread_ts=thread_ts, block_id="choose_account"
        ),
    ]
    return SlackMessage(text=text, blocks=blocks)
