"""How to talk to csbot: the help reply, command usage lines and the suggested prompts.

The suggested prompts are also declared in ``manifest.yml`` (agent view); the
manifest test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.models.blocks import HeaderBlock

from bot.slack.blocks import context_line, mrkdwn_sections
from bot.slack.ids import Command
from bot.slack.replies import SlackMessage


@dataclass(frozen=True, slots=True)
class SuggestedPrompt:
    title: str
    message: str

    def as_payload(self) -> dict[str, str]:
        return {"title": self.title, "message": self.message}


SUGGESTED_PROMPTS: tuple[SuggestedPrompt, ...] = (
    SuggestedPrompt("My accounts at risk", "Which of my accounts are red?"),
    SuggestedPrompt("Renewals coming up", "Renewals in the next 60 days"),
    SuggestedPrompt("ARR at risk", "What is my ARR at risk?"),
    SuggestedPrompt("What changed", "Which accounts changed band this week?"),
)
"""At most four (``assistant.threads.setSuggestedPrompts``)."""

SUGGESTED_PROMPTS_TITLE = "Ask me about your accounts"

EXAMPLE_QUESTIONS: tuple[str, ...] = (
    "How is Acme doing?",
    "Why did Acme's health change?",
    "When does Acme renew?",
    "Renewals in the next 60 days for my team",
    "My red accounts",
    "Open tickets for Acme",
    "What are Acme's users complaining about?",
    "Who is the champion at Acme?",
    "What is our ARR at risk?",
    "Which accounts changed band this week?",
    "What should I do about Acme?",
    "Top 5 accounts by ARR",
    "Overdue invoices",
    "What should I work on today?",
    "Draft a renewal email to Acme",
)

HEALTH_USAGE = f"Usage: `{Command.HEALTH} ACCOUNT` — for example `{Command.HEALTH} Acme`."
RENEWALS_USAGE = (
    f"Usage: `{Command.RENEWALS} [days]` — renewals in the next N days "
    f"(1–365, default 30), for example `{Command.RENEWALS} 60`."
)


def build_help_message(*, intro: str | None = None) -> SlackMessage:
    """What csbot can answer, with examples; the reply to an empty ``/cs`` or "help"."""
    examples = "\n".join(f"• {question}" for question in EXAMPLE_QUESTIONS)
    lead = intro or "I answer questions about your customers from csbot's data."
    text = f"{lead} Try: “How is Acme doing?” or “Renewals in the next 60 days”."
    blocks = [
        HeaderBlock(text="What you can ask me", block_id="help_header").to_dict(),
        *mrkdwn_sections(f"{lead}\n\n{examples}", block_id_prefix="help_examples"),
        context_line(
            f"DM me, mention me in a thread, or use `{Command.CS} <question>`, "
            f"`{Command.HEALTH} ACCOUNT`, `{Command.RENEWALS} [days]`.",
            block_id="help_commands",
        ),
    ]
    return SlackMessage(text=text, blocks=blocks)


def build_usage_message(usage: str) -> SlackMessage:
    return SlackMessage(text=usage, blocks=mrkdwn_sections(usage, block_id_prefix="usage"))
