"""Knowledge commands: ``knowledge reindex|refresh``, ``playbooks list|show|validate|suggest``,
``tickets themes``.

Heavy imports (torch, chromadb, sklearn) happen inside the commands that need them;
``playbooks list|show|validate`` never load the model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.context import cli_actor, cli_services, fail
from bot.errors import UserFacingError


def register(app: typer.Typer) -> None:
    knowledge = typer.Typer(
        help="Embeddings, vector index and sentiment derived from the store.", no_args_is_help=True
    )
    knowledge.command("reindex")(reindex_command)
    knowledge.command("refresh")(refresh_command)
    app.add_typer(knowledge, name="knowledge")

    playbooks = typer.Typer(
        help="The playbook catalog and playbook retrieval.", no_args_is_help=True
    )
    playbooks.command("list")(playbooks_list_command)
    playbooks.command("show")(playbooks_show_command)
    playbooks.command("validate")(playbooks_validate_command)
    playbooks.command("suggest")(playbooks_suggest_command)
    app.add_typer(playbooks, name="playbooks")

    tickets = typer.Typer(help="Support tickets: themes and sentiment.", no_args_is_help=True)
    tickets.command("themes")(tickets_themes_command)
    app.add_typer(tickets, name="tickets")


JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _echo_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False))


def _report_lines(report: Any) -> str:
    sentiment = report.sentiment
    return (
        f"playbook texts indexed: {report.playbook_documents}\n"
        f"tickets indexed: {report.tickets_indexed}\n"
        f"texts embedded: {report.embedded} (cache hits: {report.cache_hits})\n"
        f"sentiment scored: {sentiment.tickets_scored} tickets, "
        f"{sentiment.nps_scored} NPS comments "
        f"({sentiment.unchanged} unchanged; model {sentiment.model})\n"
        f"themes assigned: {report.themes_assigned}\n"
        f"took {report.seconds:.1f}s"
    )


def reindex_command(as_json: JsonOption = False) -> None:
    """Rebuild the vector collections from the SQL store and score sentiment."""
    from bot.services.corpus.indexing import reindex_knowledge

    report = reindex_knowledge(cli_services(), actor=cli_actor())
    typer.echo(json.dumps(report.to_dict()) if as_json else _report_lines(report))


def refresh_command(as_json: JsonOption = False) -> None:
    """Index new or changed tickets, score new texts, attach new tickets to themes."""
    from bot.services.corpus.indexing import refresh_knowledge

    report = refresh_knowledge(cli_services(), actor=cli_actor())
    typer.echo(json.dumps(report.to_dict()) if as_json else _report_lines(report))


def _catalog() -> dict[str, Any]:
    from bot.services.corpus.playbooks import playbook_catalog
    from knowledge.errors import PlaybookError

    try:
        return playbook_catalog(cli_services(migrate=False))
    except PlaybookError as exc:
        raise fail(str(exc)) from None


def playbooks_list_command(as_json: JsonOption = False) -> None:
    """List the playbooks (built-in and the team folder, CSBOT_PLAYBOOKS_DIR)."""
    catalog = _catalog()
    if as_json:
        _echo_json([playbook.to_dict() for playbook in catalog.values()])
        return
    for playbook in catalog.values():
        typer.echo(
            f"{playbook.id:<24} {playbook.cta_type:<11} {playbook.priority:<7} "
            f"{len(playbook.steps)} steps  {playbook.title}"
        )


def playbooks_show_command(
    playbook_id: Annotated[str, typer.Argument(help="The playbook id, e.g. renewal.")],
    as_json: JsonOption = False,
) -> None:
    """Show one playbook with all its steps."""
    catalog = _catalog()
    playbook = catalog.get(playbook_id)
    if playbook is None:
        raise fail(f"no playbook {playbook_id!r}; known: {', '.join(catalog)}")
    if as_json:
        _echo_json(playbook.to_dict())
        return
    typer.echo(f"{playbook.title} ({playbook.id}) · {playbook.cta_type} · {playbook.priority}")
    typer.echo(f"When: {'; '.join(playbook.triggers)}")
    for step in playbook.steps:
        typer.echo(f"{step.number}. {step.text}\n   {step.timing} · {step.owner} · {step.channel}")


def playbooks_validate_command(
    folder: Annotated[
        Path | None,
        typer.Argument(
            help="A team playbook folder (default: the built-in catalog + CSBOT_PLAYBOOKS_DIR)."
        ),
    ] = None,
) -> None:
    """Check playbook files; exit 1 with the file and problem when one is invalid."""
    from knowledge.errors import PlaybookError
    from knowledge.playbooks import load_playbooks

    try:
        catalog = _catalog() if folder is None else load_playbooks(folder)
    except PlaybookError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"{len(catalog)} playbooks OK")


def _suggestion_lines(suggestions: list[Any]) -> str:
    lines = []
    for rank, suggestion in enumerate(suggestions, start=1):
        why = ", ".join(suggestion.matched_triggers + suggestion.matched_signals)
        lines.append(
            f"{rank}. {suggestion.title} ({suggestion.playbook_id}) score {suggestion.score:.2f}"
            + (f" — matched: {why}" if why else "")
        )
        for step in suggestion.steps:
            lines.append(
                f"   {step.number}. {step.text} [{step.timing} · {step.owner} · {step.channel}]"
            )
    return "\n".join(lines)


def playbooks_suggest_command(
    text: Annotated[str | None, typer.Argument(help="A ticket, note or question.")] = None,
    account: Annotated[
        str | None, typer.Option("--account", help="Account id or name; its signals boost matches.")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="One text per line; one result list per line out.")
    ] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=12, help="How many playbooks.")] = 3,
    as_json: JsonOption = False,
) -> None:
    """Best playbooks for a situation, with their matching steps, best first."""
    from bot.services.corpus.playbooks import resolve_account_id, suggest_playbooks_batch

    if (text is None) == (file is None):
        raise fail("give either TEXT or --file FILE")
    if file is not None:
        try:
            texts = [line.strip() for line in file.read_text(encoding="utf-8").splitlines()]
        except (OSError, UnicodeDecodeError) as exc:
            raise fail(f"{file}: cannot read: {exc}") from None
        texts = [line for line in texts if line]
        if not texts:
            raise fail(f"{file}: no text lines")
    else:
        texts = [text or ""]
    services = cli_services()
    try:
        account_id = resolve_account_id(services, account) if account else None
        results = suggest_playbooks_batch(services, texts, account_id=account_id, k=k)
    except UserFacingError as exc:
        raise fail(str(exc)) from None
    for suggestions in results:
        if as_json:
            _echo_json([suggestion.to_dict() for suggestion in suggestions])
        else:
            typer.echo(_suggestion_lines(suggestions))


def tickets_themes_command(
    account: Annotated[str | None, typer.Option("--account", help="Account id or name.")] = None,
    csm: Annotated[
        str | None, typer.Option("--csm", help="A CSM id: themes of their book.")
    ] = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Re-cluster instead of reading stored themes.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """What tickets are about: themes with size, negative share, trend and examples."""
    from bot.services.corpus.playbooks import resolve_account_id
    from bot.services.corpus.themes import PORTFOLIO, account_scope, csm_scope, themes_for

    if account and csm:
        raise fail("give --account or --csm, not both")
    services = cli_services()
    try:
        scope = (
            account_scope(resolve_account_id(services, account))
            if account
            else csm_scope(csm)
            if csm
            else PORTFOLIO
        )
    except UserFacingError as exc:
        raise fail(str(exc)) from None
    themes = themes_for(services, scope, rebuild=rebuild)
    if as_json:
        _echo_json([theme.to_dict() for theme in themes])
        return
    if not themes:
        typer.echo(f"no ticket text in {scope}")
        return
    typer.echo(f"{len(themes)} themes in {scope}:")
    for theme in themes:
        trend = "n/a" if theme.trend is None else f"{theme.trend:+.0%}"
        typer.echo(
            f"- {theme.label}: {theme.size} tickets, {theme.negative_share:.0%} negative, "
            f"trend {trend}"
        )
        for example in theme.examples[:2]:
            typer.echo(f"    “{example}”")
