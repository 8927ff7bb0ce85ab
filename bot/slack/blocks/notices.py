"""Small transport notices: channel not enabled, shared-by attribution, feedback thanks."""

from __future__ import annotations

from typing import Any

from bot.slack.blocks import context_line, mrkdwn_sections
from bot.slack.formatting import user_mention
from bot.slack.replies import SlackMessage


def build_channel_not_enabled_message() -> SlackMessage:
    text = (
        "I only answer in channels my admins enabled for me. "
        "Send me a direct message and I'll answer there."
    )
    return SlackMessage(text=text, blocks=mrkdwn_sections(text, block_id_prefix="not_enabled"))


def build_shared_by_block(slack_user_id: str) -> dict[str, Any]:
    return context_line(f"Shared by {user_mention(slack_user_id)}", block_id="shared_by")


def build_feedback_thanks_message(value: str) -> SlackMessage:
    text = (
        "Thanks — glad that helped."
        if value == "up"
        else "Thanks — noted. The team reviews answers marked not helpful."
    )
    return SlackMessage(text=text, blocks=mrkdwn_sections(text, block_id_prefix="feedback_thanks"))
