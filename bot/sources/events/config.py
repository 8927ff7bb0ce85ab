"""The events mapping (``events.yaml``): formats, account attribution, logins, features, sessions.

Event exports are not objects with fields, so the record mapping of
``bot.sources.sync.mapping`` does not fit; this is a small validated YAML of its own,
found the same way (``CSBOT_SYNC_MAPPING_DIR/events.yaml``, else the shipped default) and
refused with every problem located (``events.yaml: account.lookup: 'x': expected one
of account_id, domain``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from bot.sources.sync.mapping import MappingError, parse_yaml

FORMATS = ("auto", "segment", "amplitude", "mixpanel")
LOOKUPS = ("account_id", "domain")
_KEYS = {
    "source",
    "format",
    "account",
    "login_events",
    "feature_property",
    "ignore_events",
    "session_idle_minutes",
}
DEFAULT_LOGINS = ("Signed In", "Logged In", "Login", "login", "sign_in", "user_login")
DEFAULT_IGNORED = (
    "$identify",
    "$groupidentify",
    "session_start",
    "session_end",
    "[Amplitude] Start Session",
    "[Amplitude] End Session",
)
"""What a key left out of a team's events.yaml means (the shipped file spells them out)."""
_ACCOUNT_KEYS = {"amplitude_group_type", "mixpanel_properties", "lookup", "values"}


@dataclass(frozen=True)
class EventsMapping:
    """How event lines become usage rows; see the shipped ``events.yaml`` for each key."""

    format: str = "auto"
    amplitude_group_type: str = "company"
    mixpanel_properties: tuple[str, ...] = ("company_id", "$group_id")
    lookup: str = "account_id"
    values: Mapping[str, str] | None = None
    login_events: frozenset[str] = frozenset(name.lower() for name in DEFAULT_LOGINS)
    feature_property: str | None = None
    ignore_events: frozenset[str] = frozenset(DEFAULT_IGNORED)
    session_idle_minutes: float = 30.0

    def is_login(self, name: str) -> bool:
        return name.lower() in self.login_events


def _names(value: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        return tuple(str(v) for v in value)
    problems.append(f"{where}: expected a name or a list of names")
    return ()


def parse_events_mapping(document: Any, origin: str) -> EventsMapping:
    """Validate a loaded YAML document; every problem is reported at once."""
    problems: list[str] = []
    if not isinstance(document, dict):
        raise MappingError([f"{origin}: expected a mapping with format, account, …"])
    for key in sorted(set(document) - _KEYS):
        problems.append(f"{origin}: {key}: unknown key; keys: {', '.join(sorted(_KEYS))}")
    if document.get("source", "events") != "events":
        problems.append(f"{origin}: source: {document['source']!r}: expected 'events'")
    fmt = document.get("format", "auto")
    if fmt not in FORMATS:
        problems.append(f"{origin}: format: {fmt!r}: expected one of {', '.join(FORMATS)}")
    account = document.get("account") or {}
    if not isinstance(account, dict):
        problems.append(f"{origin}: account: expected a mapping")
        account = {}
    for key in sorted(set(account) - _ACCOUNT_KEYS):
        problems.append(f"{origin}: account.{key}: unknown key")
    group_type = account.get("amplitude_group_type", "company")
    if not isinstance(group_type, str) or not group_type:
        problems.append(f"{origin}: account.amplitude_group_type: expected a group type name")
    properties = _names(
        account.get("mixpanel_properties", ["company_id", "$group_id"]),
        f"{origin}: account.mixpanel_properties",
        problems,
    )
    lookup = account.get("lookup", "account_id")
    if lookup not in LOOKUPS:
        problems.append(
            f"{origin}: account.lookup: {lookup!r}: expected one of {', '.join(LOOKUPS)}"
        )
    values = account.get("values") or {}
    if not isinstance(values, dict):
        problems.append(f"{origin}: account.values: expected company id: account_id pairs")
        values = {}
    logins = _names(
        document.get("login_events", list(DEFAULT_LOGINS)), f"{origin}: login_events", problems
    )
    ignored = _names(
        document.get("ignore_events", list(DEFAULT_IGNORED)), f"{origin}: ignore_events", problems
    )
    feature = document.get("feature_property")
    if feature is not None and not isinstance(feature, str):
        problems.append(f"{origin}: feature_property: expected a property name or null")
    idle = document.get("session_idle_minutes", 30)
    if isinstance(idle, bool) or not isinstance(idle, int | float) or idle < 0:
        problems.append(f"{origin}: session_idle_minutes: {idle!r}: expected minutes ≥ 0")
        idle = 0
    if problems:
        raise MappingError(problems)
    return EventsMapping(
        format=fmt,
        amplitude_group_type=group_type,
        mixpanel_properties=properties,
        lookup=lookup,
        values={str(k): str(v) for k, v in values.items()},
        login_events=frozenset(name.lower() for name in logins),
        feature_property=feature,
        ignore_events=frozenset(ignored),
        session_idle_minutes=float(idle),
    )


def load_events_mapping(mapping_dir: Path | None = None) -> EventsMapping:
    """The team's ``<dir>/events.yaml`` when it exists, else the shipped default."""
    if mapping_dir is not None and (Path(mapping_dir) / "events.yaml").is_file():
        path = Path(mapping_dir) / "events.yaml"
        text, origin = path.read_text(encoding="utf-8"), path.name
    else:
        packaged = resources.files("bot.sources.sync.mappings") / "events.yaml"
        text, origin = packaged.read_text(encoding="utf-8"), "events.yaml (default)"
    return parse_events_mapping(parse_yaml(text, origin), origin)
