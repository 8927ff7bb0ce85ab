"""Sync commands: ``csbot sync list``, ``csbot sync run SOURCE``, ``csbot sync status``."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from bot.cli.context import cli_services, cli_settings, fail


def register(app: typer.Typer) -> None:
    sync = typer.Typer(
        help="Sync CRM sources (Salesforce, …) into the store through the importer.",
        no_args_is_help=True,
    )
    sync.command("list")(sync_list_command)
    sync.command("run")(sync_run_command)
    sync.command("status")(sync_status_command)
    app.add_typer(sync, name="sync")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 90:
        return f"{seconds:.0f}s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def sync_list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Every source csbot can sync, whether it is configured, its objects and schedule."""
    from bot.sources.sync.mapping import MappingError, load_mapping
    from bot.sources.sync.registry import SOURCES, is_configured, source_module

    settings = cli_settings()
    rows = []
    for name in SOURCES:
        try:
            describe = getattr(source_module(name), "describe_objects", None)
            if describe is not None:  # a source whose mapping is no object mapping
                objects = describe(settings)
            else:
                mapping = load_mapping(name, settings.sync_mapping_dir)
                objects = [f"{o.name}→{o.table}" for o in mapping.objects.values()]
        except MappingError as exc:
            objects = [f"mapping error: {exc.problems[0]}"]
        rows.append(
            {
                "source": name,
                "configured": is_configured(name, settings),
                "every_minutes": settings.sync_every_minutes(name),
                "objects": objects,
            }
        )
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = "configured" if row["configured"] else "not configured"
        typer.echo(
            f"{row['source']:<12} {state:<15} every {row['every_minutes']} min  "
            + ", ".join(row["objects"])  # type: ignore[arg-type]
        )


def sync_run_command(
    source: Annotated[str, typer.Argument(help="The source to sync (see `csbot sync list`).")],
    object_name: Annotated[
        str | None, typer.Option("--object", help="Only this object (e.g. Account).")
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Re-read everything, not only what changed.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read and check everything, write nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Sync one source now: each page is imported with its cursor in one transaction."""
    from bot.sources.sync.engine import SyncFailed, run_source
    from bot.sources.sync.mapping import MappingError
    from bot.sources.sync.protocol import SourceError
    from bot.sources.sync.registry import SOURCES, build_connector

    if source not in SOURCES:
        raise fail(f"no source {source!r}; sources: {', '.join(SOURCES)}", code=2)
    services = cli_services()
    try:
        connector = build_connector(source, services.settings)
        runs = run_source(
            connector,
            services.engine,
            object_name=object_name,
            full=full,
            dry_run=dry_run,
            clock=services.clock,
        )
    except MappingError as exc:
        for line in exc.problems:
            typer.echo(line, err=True)
        raise fail(f"{source}: the mapping is not usable; nothing was synced", code=2) from None
    except (SourceError, SyncFailed) as exc:
        raise fail(str(exc), code=2) from None
    if as_json:
        typer.echo(json.dumps([run.to_dict() for run in runs], indent=2))
    for run in runs:
        if as_json:
            break
        verb = "checked (dry run, nothing written)" if dry_run else "written"
        extra = []
        if run.deleted:
            extra.append(
                f"{run.deleted} deleted in {source}"
                + (f" ({run.deactivated} contacts marked inactive)" if run.deactivated else "")
                + ", kept in the store"
            )
        if run.skipped:
            extra.append(
                f"{run.skipped} skipped (left out by the mapping, or no account in the store)"
            )
        if run.unowned:
            extra.append(f"{run.unowned} with an owner email no csm has")
        typer.echo(
            f"{source} {run.object_name} → {run.table}: {run.rows_changed} rows {verb} "
            f"in {run.pages} page(s), {run.seconds:.1f}s"
            + (f"; {'; '.join(extra)}" if extra else "")
        )
    failed = [run for run in runs if not run.ok]
    if failed:
        for line in failed[0].error:
            typer.echo(line, err=True)
        raise fail(
            f"{source} {failed[0].object_name}: sync stopped; the failed page was not written "
            "and the cursor stays at the last page that was"
        )


def sync_status_command(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Per source and object: last success, cursor, lag, rows changed, last error."""
    from bot.sources.sync.status import sync_status

    services = cli_services()
    rows = sync_status(services.engine, now=services.now())
    if as_json:
        typer.echo(json.dumps([row.to_dict() for row in rows], indent=2))
        return
    if not rows:
        typer.echo("no sync has run yet (see `csbot sync list`)")
        return
    for row in rows:
        success = (
            row.last_success_at.strftime("%Y-%m-%d %H:%M UTC") if row.last_success_at else "never"
        )
        line = (
            f"{row.source:<11} {row.object_name:<20} → {row.table:<13} last success {success}"
            f"  lag {_duration(row.lag_seconds)}  rows changed {row.rows_changed}"
            f"  cursor {row.cursor or '-'}"
        )
        if row.last_error:
            line += f"\n    last error: {row.last_error}"
        typer.echo(line)
