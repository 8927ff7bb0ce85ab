"""Slack inbound adapters: parse the payload, call one service, render, reply.

``register_all`` is the routing table's entry point: each module listed in
``HANDLER_MODULES`` exposes ``register(app)`` and adds its listeners there (no
decorators, no module-level ``App``). Other areas add their module with a one-line
edit.
"""

from __future__ import annotations

import importlib

from slack_bolt import App

HANDLER_MODULES: tuple[str, ...] = (
    "handlers.events",
    "handlers.assistant",
    "handlers.home",
    "handlers.drafts",  # before handlers.commands: it claims "/cs draft …"
    "handlers.commands",
    "handlers.actions",
    "handlers.ctas",
    "handlers.escalations",
)


def register_all(app: App) -> None:
    for module_name in HANDLER_MODULES:
        importlib.import_module(module_name).register(app)
