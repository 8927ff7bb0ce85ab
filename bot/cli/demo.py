"""``csbot demo``: write a realistic demo contract folder and import it.

numpy and pandas are imported inside the command, never at module import: every
CLI command module is loaded at start-up, and ``csbot ask`` must start fast.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.context import cli_actor, cli_services, cli_settings, fail

DEFAULT_ACCOUNTS = 300
DEFAULT_DAYS = 365
DEFAULT_SEED = 42


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)


def demo_command(
    accounts: Annotated[
        int, typer.Option("--accounts", min=1, help="How many customer accounts.")
    ] = DEFAULT_ACCOUNTS,
    days: Annotated[
        int,
        typer.Option("--days", min=30, help="Days of history (usage window) up to the end date."),
    ] = DEFAULT_DAYS,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Same seed and end date, same files.")
    ] = DEFAULT_SEED,
    end_date: Annotated[
        str | None,
        typer.Option("--end-date", help="Last day of data, YYYY-MM-DD (default: today)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder to write (default: <data dir>/demo); replaced whole."),
    ] = None,
    no_import: Annotated[
        bool, typer.Option("--no-import", help="Only write the files; do not import them.")
    ] = False,
    dense_usage: Annotated[
        bool,
        typer.Option(
            "--dense-usage",
            help="A usage row for every account and day (benchmarks: accounts × days rows).",
        ),
    ] = False,
) -> None:
    """Generate a deterministic demo CS world (contract CSVs) and import it into the store."""
    from bot.sources.demo import DemoConfig, generate_demo
    from bot.sources.demo.writer import DemoFolderTaken

    settings = cli_settings()
    last_day = _parse_end_date(end_date) if end_date else datetime.now(settings.tz).date()
    folder = out if out is not None else settings.data_dir / "demo"
    try:
        config = DemoConfig(
            end_date=last_day, accounts=accounts, days=days, seed=seed, dense_usage=dense_usage
        )
        summary = generate_demo(config, folder)
    except (ValueError, DemoFolderTaken) as exc:
        raise fail(f"demo: {exc}") from None
    counts = ", ".join(f"{table} {rows}" for table, rows in summary.rows.items())
    typer.echo(
        f"wrote {summary.total_rows} rows to {folder} in {summary.seconds:.1f}s "
        f"({config.start_date} to {config.end_date}, seed {seed}): {counts}"
    )
    if no_import:
        typer.echo(f"not imported (--no-import); load it with: csbot import {folder}")
        return
    _import(folder)


def _parse_end_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"demo: --end-date: {text!r} is not a date (YYYY-MM-DD)") from None


def _import(folder: Path) -> None:
    from bot.errors import ImportFailed
    from bot.sources.importer import import_folder

    services = cli_services()
    try:
        report = import_folder(folder, services.engine, actor=cli_actor())
    except ImportFailed as exc:
        for line in exc.problems:
            typer.echo(line, err=True)
        raise fail(f"demo: import of {folder} refused, nothing was written") from None
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(f"imported {report.total_rows} rows in {report.seconds:.1f}s")
