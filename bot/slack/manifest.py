"""Read ``manifest.yml`` and derive its HTTP-mode variant.

One manifest is kept (the Socket Mode build); the HTTP build differs only in the
request URLs and ``socket_mode_enabled``, so it is generated rather than copied.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

MANIFEST_PATH = Path(__file__).resolve().parents[2] / "manifest.yml"
EVENTS_PATH = "/slack/events"


def load_manifest(path: Path = MANIFEST_PATH) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


def http_manifest(manifest: dict[str, Any], public_url: str) -> dict[str, Any]:
    """The manifest for HTTP mode: every Slack request goes to ``public_url``/slack/events."""
    if not public_url.startswith("https://"):
        raise ValueError("Slack only delivers to https:// request URLs")
    request_url = public_url.rstrip("/") + EVENTS_PATH
    variant = copy.deepcopy(manifest)
    settings = variant["settings"]
    settings["socket_mode_enabled"] = False
    settings["event_subscriptions"]["request_url"] = request_url
    settings["interactivity"]["request_url"] = request_url
    for command in variant["features"].get("slash_commands", []):
        command["url"] = request_url
    return variant


def dump_manifest(manifest: dict[str, Any]) -> str:
    return yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100)
