"""What a person sees when something goes wrong: short, honest, never a stack trace.

Known problems (an unknown account, no permission) are explained in the error's own
user-safe words; anything else is a short apology with an incident id the person can
quote, while the details go to the log under the same id.
"""

from __future__ import annotations

from bot.errors import UserFacingError
from bot.slack.blocks import context_line, mrkdwn_sections
from bot.slack.formatting import escape_mrkdwn
from bot.slack.replies import SlackMessage


def build_apology_message(incident_id: str) -> SlackMessage:
    text = (
        "Sorry — something went wrong on my side while handling that. "
        f"Please try again in a minute; if it keeps happening, quote incident `{incident_id}`."
    )
    return SlackMessage(
        text=text,
        blocks=[
            *mrkdwn_sections(f":warning: {text}", block_id_prefix="apology"),
        ],
    )


def build_user_error_message(error: UserFacingError) -> SlackMessage:
    """The error's own message (written for users), escaped for mrkdwn."""
    text = str(error) or "Sorry, I can't help with that."
    return SlackMessage(
        text=text,
        blocks=mrkdwn_sections(escape_mrkdwn(text), block_id_prefix="user_error"),
    )


def build_home_error_view_blocks(incident_id: str) -> list[dict[str, object]]:
    """A Home tab that says it could not load, instead of an empty or stale tab."""
    return [
        *mrkdwn_sections(
            ":warning: Sorry — I couldn't load your portfolio just now. "
            "Open the tab again in a minute.",
            block_id_prefix="home_error",
        ),
        context_line(f"Incident `{incident_id}`", block_id="home_error_incident"),
    ]
