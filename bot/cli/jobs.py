"""Job commands: ``csbot jobs list``, ``csbot jobs run NAME``, ``csbot jobs scheduler``."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer

from bot.cli.context import cli_services, cli_settings, fail


def register(app: typer.Typer) -> None:
    jobs = typer.Typer(
        help="Scheduled jobs: list them, run one now, run the scheduler.", no_args_is_help=True
    )
    jobs.command("list")(jobs_list_command)
    jobs.command("run")(jobs_run_command)
    jobs.command("scheduler")(jobs_scheduler_command)
    app.add_typer(jobs, name="jobs")


def jobs_list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Every job with its schedule (from CSBOT_TIMEZONE, CSBOT_SCORE_TIME, CSBOT_DIGEST_TIME)."""
    from jobs.registry import JOBS

    settings = cli_settings()
    rows = [
        {"name": d.name, "schedule": d.schedule(settings), "description": d.description}
        for d in JOBS.values()
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    width = max(len(row["name"]) for row in rows)
    for row in rows:
        typer.echo(f"{row['name']:<{width}}  {row['schedule']:<24}  {row['description']}")


def parse_now(text: str | None, tz: object) -> datetime:
    """``--now``: ISO date or datetime; without an offset it is in CSBOT_TIMEZONE."""
    from bot.db.base import utcnow

    if text is None:
        return utcnow()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise fail(
            f"--now: {text!r} is not an ISO date or datetime (e.g. 2026-11-18T09:00)", code=2
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)  # type: ignore[arg-type]
    return moment


def jobs_run_command(
    name: Annotated[str, typer.Argument(help="Job name (see `csbot jobs list`).")],
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print the Slack payloads it would send; write nothing."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    now: Annotated[
        str | None, typer.Option("--now", help="Run as of this time (ISO; default: now).")
    ] = None,
) -> None:
    """Run one job now, exactly as the scheduler would (a delivering job then sends its alerts)."""
    from jobs.registry import JOBS
    from jobs.runner import run_job

    if name not in JOBS:
        raise fail(f"no job named {name!r}; jobs: {', '.join(JOBS)}", code=2)
    settings = cli_settings()
    moment = parse_now(now, settings.tz)
    services = cli_services()
    job = JOBS[name]
    result = run_job(
        name, job.function, services, now=moment, dry_run=dry_run, deliver=job.delivers
    )
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, default=str))
    else:
        status = "ok" if result.ok else "FAILED"
        typer.echo(
            f"{name}: {status} in {result.seconds:.2f}s"
            + (" (dry run, nothing written)" if dry_run else "")
        )
        for key, value in result.summary.items():
            typer.echo(f"  {key}: {value}")
        for key, value in result.delivery.items():
            typer.echo(f"  delivery.{key}: {value}")
        if dry_run:
            typer.echo(f"would send {len(result.previews)} message(s):")
            for preview in result.previews:
                typer.echo(json.dumps(preview, indent=2, default=str))
    if not result.ok:
        raise fail(f"job {name} failed: {result.error}")


def jobs_scheduler_command() -> None:
    """Run the scheduler in the foreground (joins the leader election; Ctrl-C stops)."""
    import threading

    from jobs.leader import SchedulerLeader

    services = cli_services()
    leader = SchedulerLeader(services)
    typer.echo(f"scheduler replica {leader.holder} started; waiting for the lease…")
    leader.start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        typer.echo("stopping scheduler…")
    finally:
        leader.stop()
