"""``csbot serve`` and ``csbot manifest``: run the Slack app, and describe it to Slack."""

from __future__ import annotations

import typer

from bot.cli.context import cli_services, cli_settings, fail
from bot.errors import ConfigurationError


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("manifest")(manifest)


def serve(
    socket: bool = typer.Option(False, "--socket", help="Socket Mode (needs SLACK_APP_TOKEN)."),
    http: bool = typer.Option(False, "--http", help="HTTP Request URL (needs signing secret)."),
    host: str = typer.Option("0.0.0.0", "--host", help="HTTP bind address."),
    port: int = typer.Option(3000, "--port", min=0, max=65535, help="HTTP port."),
    workers: int = typer.Option(1, "--workers", min=1, help="HTTP worker processes."),
    scheduler: bool = typer.Option(
        True,
        "--scheduler/--no-scheduler",
        help="Also run the scheduled jobs (one leader across replicas via a database lease).",
    ),
) -> None:
    """Answer Slack: DMs, mentions, slash commands, buttons and the App Home.

    Without --socket or --http, Socket Mode is used when SLACK_APP_TOKEN is set.
    """
    if socket and http:
        raise fail("choose one of --socket or --http", code=2)
    settings = cli_settings()
    mode = "socket" if socket or (not http and settings.slack_app_token) else "http"
    from bot import main

    try:
        main.require_slack_settings(settings, mode=mode)
        services = cli_services()
        leader = None
        if scheduler:
            from jobs.leader import start_background_scheduler

            leader = start_background_scheduler(services)
        try:
            if mode == "socket":
                main.serve_socket_mode(settings, services)
            else:
                main.serve_http(settings, services, host=host, port=port, workers=workers)
        finally:
            if leader is not None:
                leader.stop()
    except ConfigurationError as error:
        raise fail(str(error), code=2) from None


def manifest(
    http_url: str | None = typer.Option(
        None, "--http-url", help="Public https:// base URL: print the HTTP-mode manifest."
    ),
) -> None:
    """Print the Slack app manifest (Socket Mode, or HTTP mode with --http-url)."""
    from bot.slack.manifest import dump_manifest, http_manifest, load_manifest

    data = load_manifest()
    if http_url is not None:
        try:
            data = http_manifest(data, http_url)
        except ValueError as error:
            raise fail(f"--http-url: {error}", code=2) from None
    typer.echo(dump_manifest(data), nl=False)
