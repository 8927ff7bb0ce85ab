"""Running the real CLI in-process: ``typer.testing.CliRunner`` on ``bot.cli.app``."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner


def invoke(*args: str, input: str | None = None) -> Result:  # noqa: A002 - CliRunner's name
    """``csbot ARGS`` as a fresh process would run it.

    Settings and services are read again, so environment changes the test made since
    the last call take effect; the root log handlers the CLI installs on the runner's
    (soon closed) stderr are removed afterwards, so later logging in the test works.
    """
    from bot.cli import app
    from bot.cli.context import cli_services, cli_settings

    cli_settings.cache_clear()
    cli_services.cache_clear()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        return CliRunner().invoke(app, list(args), input=input)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


REPO = Path(__file__).resolve().parents[2]


def spawn_csbot(*args: str) -> subprocess.Popen[bytes]:
    """``csbot ARGS`` in a real child process (for the kill -9 tests), output discarded.

    It sees the test's environment (its store and fake endpoints) and this checkout's code.
    """
    return subprocess.Popen(
        [sys.executable, "-c", "from bot.cli import main; main()", *args],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=os.getcwd(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
