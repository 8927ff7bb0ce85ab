"""Scoring commands: ``score``, ``model train|report`` and ``health override|show|changes``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.context import cli_actor, cli_services, fail


def register(app: typer.Typer) -> None:
    app.command("score")(score_command)
    model = typer.Typer(
        help="The churn model: train it, and report how well it does.", no_args_is_help=True
    )
    model.command("train")(model_train_command)
    model.command("report")(model_report_command)
    model.command("apply-weights")(model_apply_weights_command)
    app.add_typer(model, name="model")
    health = typer.Typer(
        help="One account's health: show, override, what changed.", no_args_is_help=True
    )
    health.command("show")(health_show_command)
    health.command("override")(health_override_command)
    health.command("changes")(health_changes_command)
    app.add_typer(health, name="health")


def _parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option}: {value!r} is not a date (expected YYYY-MM-DD)") from None


def score_command(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Score as of this day (YYYY-MM-DD); data before it only."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write one CSV row per account here.")
    ] = None,
) -> None:
    """Score every active account, store the day's snapshot, optionally write a CSV."""
    from bot.services.health.runs import score_portfolio

    day = _parse_day(as_of, "--as-of")
    services = cli_services()
    run = score_portfolio(services, day, actor=cli_actor())
    typer.echo(run.model_status, err=True)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        temporary = out.with_name(out.name + ".tmp")
        run.table.to_csv(temporary, index=False, float_format="%.4g")
        temporary.replace(out)
    counts = run.table["band"].value_counts().to_dict()
    bands = ", ".join(f"{band} {counts.get(band, 0)}" for band in ("red", "yellow", "green"))
    where = f"; wrote {out}" if out is not None else ""
    typer.echo(f"scored {len(run.table)} accounts as of {run.as_of.isoformat()}: {bands}{where}")
    stages = ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in run.seconds.items())
    typer.echo(f"time: {stages}", err=True)


def model_train_command(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Use outcomes before this day.")
    ] = None,
) -> None:
    """Train the churn model on past renewals and save it with its held-out report."""
    from bot.services.health.model import train_churn_model
    from scoring.reporting import format_model_report
    from scoring.training import InsufficientHistory

    services = cli_services()
    try:
        result = train_churn_model(services, as_of=_parse_day(as_of, "--as-of"), actor=cli_actor())
    except InsufficientHistory as exc:
        raise fail(f"cannot train a churn model: {exc}") from None
    typer.echo(format_model_report(result.report.to_dict()))
    typer.echo(f"saved to {services.settings.models_dir}")


def model_report_command(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Held-out AUC, F1, precision at the riskiest 10%, Brier and calibration, model vs rules."""
    from bot.services.health.model import churn_model_report
    from scoring.reporting import format_model_report
    from scoring.training import InsufficientHistory

    services = cli_services()
    try:
        metadata = churn_model_report(services)
    except InsufficientHistory as exc:
        raise fail(f"cannot train a churn model: {exc}") from None
    report: dict[str, Any] = metadata["report"]
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    typer.echo(format_model_report(report))


def model_apply_weights_command(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the back-test only; change nothing.")
    ] = False,
) -> None:
    """Back-test the proposed component weights beside the current ones, then apply them."""
    from bot.errors import UserFacingError
    from bot.services.health.model import review_health_weights
    from scoring.reporting import format_weights_review

    services = cli_services()
    try:
        review = review_health_weights(services, apply=not dry_run, actor=cli_actor())
    except UserFacingError as exc:
        raise fail(str(exc)) from None
    typer.echo(
        format_weights_review(
            current=review.current.component_weights,
            proposed=review.proposed.component_weights,
            comparison=review.comparison,
        )
    )
    if review.applied_to is None:
        typer.echo("dry run: nothing changed (run without --dry-run to apply)")
    else:
        typer.echo(
            f"applied: health config {review.proposed.version} written to {review.applied_to}; "
            "the churn model is retrained for it at the next score"
        )


def health_show_command(
    account: Annotated[str, typer.Argument(help="Account id or exact name.")],
) -> None:
    """The latest score, its components, drivers, trend and any CSM override."""
    from bot.errors import UserFacingError
    from bot.services.health.overview import health_overview
    from scoring.reporting import format_health_overview

    try:
        overview = health_overview(cli_services(), account)
    except UserFacingError as exc:
        raise fail(str(exc)) from None
    snapshot = overview.snapshot
    override = overview.override
    typer.echo(
        format_health_overview(
            account_id=overview.account_id,
            account_name=overview.account_name,
            as_of=snapshot.as_of.isoformat(),
            score=snapshot.score,
            band=snapshot.band,
            computed_band=snapshot.computed_band,
            components=snapshot.components,
            drivers=snapshot.drivers,
            missing_components=snapshot.missing_components,
            churn_risk=snapshot.churn_risk,
            expansion=snapshot.expansion,
            stage=snapshot.stage,
            delta_7d=overview.delta_7d,
            delta_30d=overview.delta_30d,
            override=None
            if override is None
            else {
                "band": override.band,
                "reason": override.reason,
                "until": override.until.isoformat(),
                "by": override.created_by,
            },
            risk_source=overview.risk_source,
            risk_drivers=list(overview.risk_drivers),
        )
    )


def health_override_command(
    account: Annotated[str, typer.Argument(help="Account id or exact name.")],
    band: Annotated[str, typer.Argument(help="red, yellow or green.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the computed band is wrong.")],
    until: Annotated[
        str, typer.Option("--until", help="Last day the override holds (YYYY-MM-DD).")
    ],
) -> None:
    """Override an account's band with a reason and an expiry (stored and audited)."""
    from bot.errors import UserFacingError
    from bot.services.health.overview import override_health_band

    expiry = _parse_day(until, "--until")
    assert expiry is not None
    try:
        override = override_health_band(
            cli_services(), account, band, reason=reason, until=expiry, actor=cli_actor()
        )
    except UserFacingError as exc:
        raise fail(str(exc)) from None
    typer.echo(
        f"{override.account_id}: band overridden to {override.band} until "
        f"{override.until.isoformat()} ({override.reason})"
    )


def health_changes_command(
    account: Annotated[str, typer.Argument(help="Account id or exact name.")],
    start: Annotated[str, typer.Option("--from", help="Earlier day (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Later day (YYYY-MM-DD).")],
) -> None:
    """What changed in an account's health between two days, component by component."""
    from bot.errors import UserFacingError
    from bot.services.health.overview import health_changes

    first = _parse_day(start, "--from")
    last = _parse_day(end, "--to")
    assert first is not None and last is not None
    try:
        change = health_changes(cli_services(), account, start=first, end=last)
    except UserFacingError as exc:
        raise fail(str(exc)) from None
    for line in change.lines():
        typer.echo(line)
