"""The agent panel (Messages tab under ``agent_view``): suggested prompts on open.

Under the agent messaging experience Slack sends ``app_home_opened`` with
``tab == "messages"`` instead of ``assistant_thread_started``; questions typed there
arrive as ordinary DMs (``handlers.events``), which also show the working status.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_bolt.context.set_suggested_prompts import SetSuggestedPrompts
from slack_sdk.errors import SlackApiError

from bot.slack.blocks.help import SUGGESTED_PROMPTS, SUGGESTED_PROMPTS_TITLE

logger = logging.getLogger(__name__)


def register(app: App) -> None:
    app.event("app_home_opened", matchers=[is_messages_tab])(handle_event_app_home_opened_messages)


def is_messages_tab(event: dict[str, Any]) -> bool:
    return event.get("tab") == "messages"


def handle_event_app_home_opened_messages(
    set_suggested_prompts: SetSuggestedPrompts | None = None,
) -> None:
    """Offer the starter questions (no ``thread_ts``: agent view ignores calls that pass one)."""
    if set_suggested_prompts is None:
        return
    try:
        set_suggested_prompts(
            prompts=[prompt.as_payload() for prompt in SUGGESTED_PROMPTS],
            title=SUGGESTED_PROMPTS_TITLE,
        )
    except SlackApiError as error:
        # Workspaces without the agent view answer with an error; the DM still works.
        logger.info(
            "could not set suggested prompts",
            extra={"slack_error": error.response.get("error")},
        )
