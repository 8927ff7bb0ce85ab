"""Store commands: ``init``, ``import``, ``status`` and ``audit tail``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.context import cli_actor, cli_services, fail


def register(app: typer.Typer) -> None:
    app.command("init")(init_command)
    app.command("import")(import_command)
    app.command("status")(status_command)
    audit = typer.Typer(help="The audit trail: who did what, when.", no_args_is_help=True)
    audit.command("tail")(audit_tail_command)
    app.add_typer(audit, name="audit")


def init_command() -> None:
    """Create or upgrade the store's schema to the newest version."""
    services = cli_services()
    typer.echo(f"store ready: {services.engine.url.render_as_string(hide_password=True)}")


def import_command(
    folder: Annotated[Path, typer.Argument(help="A folder of contract CSV/JSONL files.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check everything, write nothing.")
    ] = False,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="A CSV mapping (YAML) turning any export folder into the contract.",
        ),
    ] = None,
) -> None:
    """Import a contract folder all-or-nothing; every bad row is reported with its line."""
    from bot.errors import ImportFailed
    from bot.sources.csvmap import import_mapped
    from bot.sources.importer import import_folder

    services = cli_services()
    try:
        if mapping is not None:
            report = import_mapped(
                folder, mapping, services.engine, dry_run=dry_run, actor=cli_actor()
            )
        else:
            report = import_folder(folder, services.engine, dry_run=dry_run, actor=cli_actor())
    except ImportFailed as exc:
        for line in exc.problems:
            typer.echo(line, err=True)
        if exc.truncated:
            typer.echo(f"… and {exc.truncated} more problem(s)", err=True)
        raise fail(
            f"import refused, nothing was written ({len(exc.problems) + exc.truncated} problem(s))"
        ) from None
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    verb = "checked (dry run, nothing written)" if dry_run else "imported"
    summary = ", ".join(f"{table} {rows}" for table, rows in report.rows.items())
    typer.echo(f"{verb} {report.total_rows} rows in {report.seconds:.1f}s: {summary}")


def status_command(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Row counts per table, when each source was last loaded, and which are stale."""
    from bot.db.session import unit_of_work
    from bot.db.status import source_freshness, table_counts
    from bot.staleness import expected_text

    services = cli_services()
    rule = services.settings.staleness
    with unit_of_work(services.session_factory) as session:
        counts = table_counts(session=session)
        sources = source_freshness(session=session, rule=rule, now=services.clock())
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "tables": counts,
                    "sources": [
                        {
                            "source": s.source,
                            "rows": s.rows,
                            "last_loaded_at": s.last_loaded_at.isoformat()
                            if s.last_loaded_at
                            else None,
                            "data_as_of": s.data_as_of.isoformat() if s.data_as_of else None,
                            "stale": s.stale,
                            "state": str(s.check.state),
                            "expected_every_hours": s.check.expected_hours,
                            "hours_since_load": round(s.age.total_seconds() / 3600, 2)
                            if s.age is not None
                            else None,
                        }
                        for s in sources
                    ],
                    "stale_after_hours": services.settings.stale_after_hours,
                },
                indent=2,
            )
        )
        return
    typer.echo("Sources")
    for source in sources:
        loaded = (
            source.last_loaded_at.strftime("%Y-%m-%d %H:%M UTC")
            if source.last_loaded_at
            else "never"
        )
        newest = source.data_as_of.strftime("%Y-%m-%d") if source.data_as_of else "-"
        expected = f"  (expected every {expected_text(source.check.expected_hours)})"
        flag = ("  NEVER LOADED" if source.last_loaded_at is None else "  STALE") + expected
        typer.echo(
            f"  {source.source:<14} {source.rows:>9} rows  loaded {loaded}  data to {newest}"
            + (flag if source.stale else "")
        )
    typer.echo("Derived tables")
    source_names = {s.source for s in sources}
    for table, rows in counts.items():
        if table not in source_names and table != "alembic_version":
            typer.echo(f"  {table:<24} {rows:>9} rows")


def audit_tail_command(
    limit: Annotated[int, typer.Option("-n", "--limit", min=1, max=1000)] = 20,
    action: Annotated[
        str | None, typer.Option(help="Only this action (import, answer, alert, draft…).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The newest audit records first."""
    from bot.db.audit import recent_audit
    from bot.db.session import unit_of_work

    services = cli_services()
    with unit_of_work(services.session_factory) as session:
        entries = recent_audit(session=session, limit=limit, action=action)
        rows = [
            {
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "target": e.target,
                "detail": e.detail,
            }
            for e in entries
        ]
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row, default=str))
        return
    for row in rows:
        typer.echo(
            f"{row['at'][:19]}  {row['actor']:<20} {row['action']:<10} {row['target'] or ''}"
        )
