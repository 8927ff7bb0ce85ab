"""Slash commands: ``/cs <question>``, ``/health ACCOUNT``, ``/renewals [days]``.

Each acknowledges first (Slack shows "operation_timeout" after 3 s), then answers
through the command's ``response_url``. ``/health`` and ``/renewals`` are shortcuts
for the question forms the parser already understands, so they answer exactly like
the same question typed in a DM.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.services import Services
from bot.slack.blocks.help import (
    HEALTH_USAGE,
    RENEWALS_USAGE,
    build_help_message,
    build_usage_message,
)
from bot.slack.formatting import escape_mrkdwn
from bot.slack.ids import Command
from bot.slack.replies import reply_target_for
from handlers.asking import Ask, answer_and_reply, channel_type_of, reply
from handlers.drafts import is_draft_command

HELP_WORDS = frozenset({"", "help", "?", "-h", "--help"})
DEFAULT_RENEWAL_DAYS = 30
MAX_RENEWAL_DAYS = 365


def register(app: App) -> None:
    app.command(Command.CS, matchers=[is_question_command])(handle_command_cs)
    app.command(Command.HEALTH)(handle_command_health)
    app.command(Command.RENEWALS)(handle_command_renewals)


def is_question_command(command: dict[str, Any]) -> bool:
    """Every ``/cs`` text but ``/cs draft …``, which ``handlers.drafts`` answers."""
    return not is_draft_command(command)


def handle_command_cs(
    ack: Ack, command: dict[str, Any], client: WebClient, services: Services
) -> None:
    """``/cs <question>``; help when empty."""
    ack()
    text = (command.get("text") or "").strip()
    if text.lower() in HELP_WORDS:
        reply(client, reply_target_for(command), build_help_message(), private=True)
        return
    _answer(services, client, command, text)


def handle_command_health(
    ack: Ack, command: dict[str, Any], client: WebClient, services: Services
) -> None:
    """``/health ACCOUNT``: the account's health, band, trend and drivers."""
    ack()
    account = (command.get("text") or "").strip()
    if account.lower() in HELP_WORDS:
        reply(client, reply_target_for(command), build_usage_message(HEALTH_USAGE), private=True)
        return
    _answer(services, client, command, f"health of {account}")


def handle_command_renewals(
    ack: Ack, command: dict[str, Any], client: WebClient, services: Services
) -> None:
    """``/renewals [days]``: renewals in the next N days (default 30) in the viewer's book."""
    ack()
    argument = (command.get("text") or "").strip()
    days = parse_renewal_days(argument)
    if days is None:
        problem = f"“{escape_mrkdwn(argument)}” is not a number of days. {RENEWALS_USAGE}"
        reply(client, reply_target_for(command), build_usage_message(problem), private=True)
        return
    _answer(services, client, command, f"renewals in the next {days} days")


def parse_renewal_days(argument: str) -> int | None:
    """``""`` → 30; a whole number 1–365 → itself; anything else → None."""
    text = argument.strip().lower().removesuffix("days").removesuffix("d").strip()
    if not text:
        return DEFAULT_RENEWAL_DAYS
    if not text.isdigit():
        return None
    days = int(text)
    return days if 1 <= days <= MAX_RENEWAL_DAYS else None


def _answer(services: Services, client: WebClient, command: dict[str, Any], text: str) -> None:
    channel_id = command.get("channel_id")
    answer_and_reply(
        services,
        client,
        reply_target_for(command),
        Ask(
            text=text,
            slack_user_id=command["user_id"],
            channel_id=channel_id,
            channel_type=channel_type_of(channel_id),
        ),
    )
