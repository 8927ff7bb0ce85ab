"""`csbot run` (what `make run` starts) on a fresh machine: demo data, first scores, chat."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from bot.cli import app
from bot.cli.run import BACKFILL_DAYS_AGO


def invoke(*args: str, stdin: str = ""):
    from bot.cli.context import cli_services, cli_settings

    cli_settings.cache_clear()
    cli_services.cache_clear()
    return CliRunner().invoke(app, list(args), input=stdin)


def test_fresh_store_gets_demo_data_history_and_the_terminal_chat():
    result = invoke("run", stdin="how is acme doing?\nquit\n")
    assert result.exit_code == 0, result.output
    assert "generating demo data" in result.stdout
    assert "csbot chat as" in result.stdout
    assert "Acme Corp Inc" in result.stdout and "Renewal" in result.stdout

    status = json.loads(invoke("status", "--json").stdout)
    assert status["tables"]["accounts"] > 0
    audit = [json.loads(line) for line in invoke("audit", "tail", "-n", "50", "--json").stdout.splitlines()]
    score_days = {entry["target"] for entry in audit if entry["action"] == "health.score"}
    assert len(score_days) == len(BACKFILL_DAYS_AGO)

    again = invoke("run", stdin="quit\n")  # a second start reuses the store
    assert again.exit_code == 0
    assert "generating demo data" not in again.stdout and "scored" not in again.stdout


def test_no_demo_on_empty_store_is_a_clear_error():
    result = invoke("run", "--no-demo")
    assert result.exit_code == 1
    assert "the store is empty" in result.stderr
