"""The ``csbot`` command line: one Typer app, with each area's commands in its own module.

Each module in ``COMMAND_MODULES`` exposes ``register(app)``. Modules import their
heavy dependencies inside the command functions, so ``csbot ask`` starts fast.
"""

from __future__ import annotations

import importlib

import typer

COMMAND_MODULES = [
    "bot.cli.store",
    "bot.cli.knowledge",
    "bot.cli.scoring",
    "bot.cli.jobs",
    "bot.cli.demo",
    "bot.cli.draft",
    "bot.cli.ask",
    "bot.cli.serve",
    "bot.cli.feedback",
    "bot.cli.run",
    "bot.cli.sync",
    "bot.cli.writeback",
]

app = typer.Typer(
    name="csbot",
    help="csbot: the Customer Success assistant (Slack, terminal, jobs).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_all() -> None:
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(app)


_register_all()


def main() -> None:
    app()
