"""Slack inbound adapters: parse the payload, call one service, render, reply.

``register_all`` is the routing table: each surface module exposes ``register(app)``
and adds its listeners there (no decorators, no module-level ``App``), as Slack's
sample apps do. The modules are imported by name, so linters and tools see every
listener; no listener depends on the order they are registered in (``/cs draft …``
and ``/cs <question>`` have matchers that exclude each other).
"""

from __future__ import annotations

from types import ModuleType

from slack_bolt import App

from handlers import actions, assistant, commands, ctas, drafts, escalations, events, home

SURFACES: tuple[ModuleType, ...] = (
    events,
    assistant,
    home,
    drafts,
    commands,
    actions,
    ctas,
    escalations,
)


def register_all(app: App) -> None:
    for surface in SURFACES:
        surface.register(app)
