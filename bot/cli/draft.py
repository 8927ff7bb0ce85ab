"""Drafting commands: ``csbot draft email ACCOUNT`` and ``csbot draft summary ACCOUNT``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.context import cli_actor, cli_services, fail

if TYPE_CHECKING:
    from bot.services.drafting.types import DraftResult

PURPOSE_HELP = "renewal | risk | expansion | check-in | nps-followup | escalation"
TONE_HELP = "friendly | formal | urgent"


def register(app: typer.Typer) -> None:
    draft = typer.Typer(
        help="Draft an outreach email or an account brief from the store's facts.",
        no_args_is_help=True,
    )
    draft.command("email")(draft_email_command)
    draft.command("summary")(draft_summary_command)
    app.add_typer(draft, name="draft")


AccountArgument = Annotated[str, typer.Argument(help="Account id or name (fuzzy).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Draft as if today were this day (YYYY-MM-DD)."),
]


def draft_email_command(
    account: AccountArgument,
    purpose: Annotated[str, typer.Option("--purpose", help=PURPOSE_HELP)] = "check-in",
    tone: Annotated[str, typer.Option("--tone", help=TONE_HELP)] = "friendly",
    as_json: JsonOption = False,
    as_of: AsOfOption = None,
) -> None:
    """Draft an email to the right contact, checked claim by claim against the store."""
    from bot.services.drafting.drafter import draft_email, parse_purpose, parse_tone

    try:
        chosen_purpose, chosen_tone = parse_purpose(purpose), parse_tone(tone)
    except ValueError as exc:
        raise fail(str(exc), code=2) from None
    day = _parse_day(as_of)
    services = cli_services()
    result = _run(
        lambda: draft_email(
            services,
            account,
            purpose=chosen_purpose,
            tone=chosen_tone,
            actor=cli_actor(),
            today=day,
        )
    )
    _print(result, as_json=as_json)


def draft_summary_command(
    account: AccountArgument, as_json: JsonOption = False, as_of: AsOfOption = None
) -> None:
    """Draft an account brief (situation, risks, opportunities, next steps)."""
    from bot.services.drafting.drafter import draft_summary

    day = _parse_day(as_of)
    services = cli_services()
    result = _run(lambda: draft_summary(services, account, actor=cli_actor(), today=day))
    _print(result, as_json=as_json)


def _run(make: Callable[[], DraftResult]) -> DraftResult:
    """Run a draft; turn account and input errors into one clear line and exit 1."""
    from bot.errors import AmbiguousAccount, UserFacingError

    try:
        return make()
    except AmbiguousAccount as exc:
        choices = "; ".join(f"{name} ({account_id})" for account_id, name in exc.candidates)
        raise fail(f"{exc} — use one of: {choices}") from None
    except UserFacingError as exc:
        raise fail(str(exc)) from None


def _parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"--as-of: {value!r} is not a date (expected YYYY-MM-DD)", code=2) from None


def _print(result: DraftResult, *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    label = "template" if result.is_template else f"model {result.model}"
    typer.echo(f"{result.kind.capitalize()} for {result.account_name} ({label})")
    if result.recipient is not None:
        address = f" <{result.recipient.email}>" if result.recipient.email else ""
        typer.echo(f"To: {result.recipient.name}{address}")
    typer.echo(f"Subject: {result.subject}")
    typer.echo("")
    typer.echo(result.body)
    typer.echo("")
    if result.verified:
        typer.echo(f"Grounding: all {result.grounding.checked} claims match the store.")
    else:
        claims = ", ".join(claim.text for claim in result.grounding.unsupported)
        typer.echo(f"Grounding: NOT VERIFIED — unsupported: {claims}")
    for note in result.notes:
        typer.echo(f"Note: {note}")
