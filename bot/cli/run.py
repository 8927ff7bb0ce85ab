"""``csbot run`` (what ``make run`` starts): prepare the store, then serve Slack or chat.

On an empty store it generates and imports the demo data set; when there are no health
snapshots yet it scores today and a few days back, so trends, "what changed" and
"changed band this week" have history to read from. Then it starts Socket Mode with
the scheduler when Slack tokens are set, and the terminal chat otherwise.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.context import cli_actor, cli_services, cli_settings, fail

if TYPE_CHECKING:
    from bot.services import Services
    from jobs.runner import JobResult

# Days back to score on first start: enough for the 7- and 30-day deltas and the
# week's band changes, few enough that a fresh machine is ready in seconds.
BACKFILL_DAYS_AGO = (30, 14, 7, 3, 1, 0)


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)


def run_command(
    chat: Annotated[
        bool, typer.Option("--chat", help="Always start the terminal chat, even with Slack tokens.")
    ] = False,
    demo: Annotated[
        bool, typer.Option("--demo/--no-demo", help="Load demo data when the store is empty.")
    ] = True,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Slack user id to chat as (terminal chat).")
    ] = None,
) -> None:
    """Set up the store (demo data, first scores) and start csbot: Slack, or the terminal chat."""
    settings = cli_settings()
    services = cli_services()
    from bot.db.bootstrap import scored_days, store_has_accounts
    from bot.db.session import unit_of_work

    with unit_of_work(services.session_factory) as session:
        has_accounts = store_has_accounts(session=session)
    if not has_accounts:
        if not demo:
            raise fail("the store is empty: import a contract folder (csbot import DIR) first")
        _load_demo(settings.data_dir / "demo")
    # Ticket signals (issue 15): sentiment and churn intent before scoring, which reads them.
    if _ticket_themes_missing(services):
        _build_ticket_signals(services)
    with unit_of_work(services.session_factory) as session:
        already_scored = scored_days(session=session)
    if not already_scored:
        _score_history(services)
        _raise_first_ctas(services)
    _print_status()
    if settings.socket_mode_enabled and not chat:
        _serve_slack_with_scheduler()
        return
    if settings.slack_enabled and not chat:
        typer.echo("SLACK_APP_TOKEN is not set: starting the terminal chat instead of Socket Mode.")
    from bot.cli.ask import chat_command

    chat_command(as_user=as_user)


def _load_demo(target: Path) -> None:
    from bot.cli.demo import DEFAULT_ACCOUNTS, DEFAULT_DAYS, DEFAULT_SEED
    from bot.sources.demo import DemoConfig, generate_demo
    from bot.sources.importer import import_folder

    settings = cli_settings()
    today = datetime.now(settings.tz).date()
    config = DemoConfig(
        end_date=today, accounts=DEFAULT_ACCOUNTS, days=DEFAULT_DAYS, seed=DEFAULT_SEED
    )
    typer.echo(f"empty store: generating demo data ({config.accounts} accounts) in {target}")
    generate_demo(config, target)
    report = import_folder(target, cli_services().engine, actor=cli_actor())
    typer.echo(f"imported {report.total_rows} demo rows in {report.seconds:.1f}s")


def _score_history(services: Services) -> None:
    from bot.services.health.config import today_for
    from bot.services.health.runs import score_portfolio

    today = today_for(services)
    for days_ago in BACKFILL_DAYS_AGO:
        day = today - timedelta(days=days_ago)
        run = score_portfolio(services, day, actor=cli_actor())
        typer.echo(f"scored {len(run.table)} accounts as of {day}")


def _run_first_start_job(services: Services, name: str) -> JobResult:
    """One scheduled job, run now as the scheduler would, with its outbox left for it.

    Alerts are queued, not sent: the scheduler delivers them within the per-CSM budget and
    quiet hours, so a first start never floods Slack.
    """
    from jobs.registry import JOBS
    from jobs.runner import run_job

    return run_job(name, JOBS[name].function, services, now=services.now(), deliver=False)


def _raise_first_ctas(services: Services) -> None:
    """Run the CTA rules once on the first scores, as the scheduler does after each score.

    Without this a fresh store answers every "what should I do?" with "No open CTAs" until
    the first scheduled run.
    """
    result = _run_first_start_job(services, "cta_rules")
    if not result.ok:
        typer.echo(f"cta_rules failed ({result.error}); the scheduler will raise CTAs later")
        return
    created = result.summary.get("ctas_created", 0)
    accounts = result.summary.get("accounts", 0)
    typer.echo(f"cta_rules: {created} CTAs opened for {accounts} accounts")


def _ticket_themes_missing(services: Services) -> bool:
    from bot.db.bootstrap import needs_ticket_themes
    from bot.db.session import unit_of_work

    with unit_of_work(services.session_factory) as session:
        return needs_ticket_themes(session=session)


def _build_ticket_signals(services: Services) -> None:
    """Run the nightly knowledge refresh and the weekly theme rebuild once, as the scheduler
    would, so the first "what are X's users complaining about?" reads stored themes."""
    typer.echo("building ticket sentiment, churn intent and themes…")
    for name in ("knowledge_refresh", "themes_rebuild"):
        result = _run_first_start_job(services, name)
        if not result.ok:  # the question path still groups on demand
            typer.echo(f"{name} failed ({result.error}); themes will be built when first asked")
            return
        typer.echo(f"{name}: done in {result.seconds:.1f}s")


def _print_status() -> None:
    from bot.cli.store import status_command

    status_command(as_json=False)


def _serve_slack_with_scheduler() -> None:
    """Socket Mode plus the scheduled jobs, exactly as ``csbot serve --socket`` runs them."""
    from bot.cli.serve import serve

    serve(socket=True, http=False, host="127.0.0.1", port=0, workers=1, scheduler=True)
