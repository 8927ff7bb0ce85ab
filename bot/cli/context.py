"""Shared start-up for CLI commands: settings, logging, services, clear config errors."""

from __future__ import annotations

import sys
from functools import lru_cache

import typer

from bot.errors import ConfigurationError
from bot.services import Services
from bot.settings import Settings, load_settings


@lru_cache(maxsize=1)
def cli_settings() -> Settings:
    """Load settings once per process; a bad setting ends the command with one line."""
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        typer.echo(f"csbot: {exc}", err=True)
        raise typer.Exit(2) from None
    from bot.log_config import configure_logging

    configure_logging(settings.log_level, json_lines=settings.log_json)
    return settings


@lru_cache(maxsize=1)
def cli_services(*, migrate: bool = True) -> Services:
    """Services for a CLI command; the schema is brought to head first (cheap when current)."""
    from bot.container import build_services

    services = build_services(cli_settings())
    if migrate:
        from bot.db.migrate import upgrade_to_head

        upgrade_to_head(services.engine)
    return services


def cli_actor() -> str:
    """Who is acting, for the audit log, when the command line is the caller."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no user database in some containers
        return "cli"


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error to stderr and return the exit to raise."""
    print(f"csbot: {message}", file=sys.stderr)
    return typer.Exit(code)
