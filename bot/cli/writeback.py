"""``csbot writeback crm``: push health score, band, churn risk, top driver and scored-at
to the CRM fields named in ``writeback.yaml`` (only values that changed)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from bot.cli.context import cli_actor, cli_services, fail


def register(app: typer.Typer) -> None:
    writeback = typer.Typer(help="Write csbot's health back to the CRM.", no_args_is_help=True)
    writeback.command("crm")(writeback_crm_command)
    app.add_typer(writeback, name="writeback")


def writeback_crm_command(
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print each field update it would send; send nothing."),
    ] = False,
    crm: Annotated[
        str | None, typer.Option("--crm", help="Only this CRM (salesforce or hubspot).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable summary.")] = False,
) -> None:
    """Send the changed health fields of every account the CRM holds, in batches.

    The dry run prints one line per record and field, exactly the value it would send
    (``hubspot company 512: csbot_health_score = "72.5"``). A record the CRM refuses is
    listed with the CRM's reason and sent again on the next run (exit status 1).
    """
    from bot.db.base import utcnow
    from bot.sources.sync.mapping import MappingError
    from bot.sources.sync.protocol import SourceError
    from bot.sources.writeback.service import writeback_crms

    services = cli_services()
    try:
        report = writeback_crms(
            services, now=utcnow(), dry_run=dry_run, only=crm, actor=cli_actor()
        )
    except (ValueError, SourceError) as exc:
        raise fail(str(exc), code=2) from None
    except MappingError as exc:
        raise fail("; ".join(exc.problems), code=2) from None
    if not report.crms:
        raise fail("no CRM is configured (set CSBOT_HUBSPOT_TOKEN or the Salesforce settings)")
    if as_json:
        typer.echo(json.dumps({"dry_run": dry_run, "crms": [r.to_dict() for r in report.crms]}))
    for crm_report in report.crms:
        if dry_run:
            if not as_json:
                for line in crm_report.lines:
                    typer.echo(line)
            records = len({u.record_id for u in crm_report.planned})
            typer.echo(
                f"{crm_report.crm}: would send {len(crm_report.planned)} field(s) "
                f"on {records} record(s) (dry run, nothing sent)",
                err=True,
            )
            continue
        if not as_json:
            typer.echo(
                f"{crm_report.crm}: sent {crm_report.fields_sent} field(s) "
                f"on {crm_report.records_sent} record(s)"
            )
            for failure in crm_report.failures:
                typer.echo(
                    f"{crm_report.crm} record {failure.record_id}: refused: {failure.message} "
                    "(sent again next run)"
                )
    if report.failed:
        raise typer.Exit(1)
