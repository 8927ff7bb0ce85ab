"""``csbot feedback list``: the 👍/👎 people left on answers, newest first."""

from __future__ import annotations

import json
from typing import Literal

import typer

from bot.cli.context import cli_services

feedback_app = typer.Typer(help="Review feedback left on answers in Slack.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(feedback_app, name="feedback")


@feedback_app.command("list")
def list_feedback(
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="How many to show."),
    value: str | None = typer.Option(None, "--value", help="Only 'up' or 'down'."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
) -> None:
    """Newest feedback first: when, who, 👍/👎, the question and what it was understood as."""
    if value not in (None, "up", "down"):
        raise typer.BadParameter("must be 'up' or 'down'", param_hint="--value")
    from bot.services.insights.feedback import recent_feedback

    wanted: Literal["up", "down"] | None = value  # type: ignore[assignment]
    entries = recent_feedback(cli_services(), limit=limit, value=wanted)
    if as_json:
        for entry in entries:
            typer.echo(
                json.dumps(
                    {
                        "at": entry.at.isoformat(),
                        "slack_user_id": entry.slack_user_id,
                        "value": entry.value,
                        "question": entry.question,
                        "intent": entry.intent,
                        "channel_id": entry.channel_id,
                        "message_ts": entry.message_ts,
                    },
                    ensure_ascii=False,
                )
            )
        return
    if not entries:
        typer.echo("No feedback yet.")
        return
    for entry in entries:
        mark = "👍" if entry.value == "up" else "👎"
        question = (entry.question or "").replace("\n", " ")
        typer.echo(
            f"{entry.at:%Y-%m-%d %H:%M} {mark} {entry.slack_user_id:<12} "
            f"{entry.intent or '-':<18} {question}"
        )
