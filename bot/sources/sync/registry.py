"""The sources csbot can sync: name → the module that builds its connector.

Each module exposes ``configured(settings) -> bool`` (are its credentials set?) and
``build(settings) -> Connector``. Adding a source is one line here; the CLI
(``csbot sync``) and the scheduler (one job per configured source) read this table.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from bot.settings import Settings
from bot.sources.sync.protocol import Connector

SOURCES: dict[str, str] = {
    "salesforce": "bot.sources.sync.salesforce",
    "hubspot": "bot.sources.hubspot.connector",
    "intercom": "bot.sources.intercom.connector",
    "zendesk": "bot.sources.zendesk.connector",
    "stripe": "bot.sources.stripe.connector",
    "warehouse": "bot.sources.warehouse.connector",
    "events": "bot.sources.events.connector",
}


def source_module(name: str) -> ModuleType:
    try:
        return importlib.import_module(SOURCES[name])
    except KeyError:
        raise KeyError(f"no source {name!r}; sources: {', '.join(SOURCES)}") from None


def is_configured(name: str, settings: Settings) -> bool:
    return bool(source_module(name).configured(settings))


def build_connector(name: str, settings: Settings) -> Connector:
    connector: Connector = source_module(name).build(settings)
    return connector


def configured_sources(settings: Settings) -> list[str]:
    return [name for name in SOURCES if is_configured(name, settings)]
