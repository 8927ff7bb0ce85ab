"""One export line → one :class:`Event`, for Segment, Amplitude and Mixpanel lines.

The three formats say the same few things in different words: who (Segment
``userId``/``anonymousId``, Amplitude ``user_id``/``device_id``, Mixpanel
``distinct_id``), when (ISO ``timestamp``, ``event_time`` "YYYY-MM-DD HH:MM:SS.ffffff" in
UTC, epoch ``properties.time``), what (``event``, ``event_type``), for which company
(Segment ``context.groupId`` or the user's group call, Amplitude ``groups`` /
``group_properties`` of the mapped group type, a Mixpanel property) and the id that makes
a re-sent event a duplicate (``messageId``, ``$insert_id`` / ``uuid``, ``$insert_id``).

A line that cannot be read raises :class:`LineError` with the reason only; the reader
adds the file and line (``events day1.jsonl:17: timestamp: 'soon': not an ISO date-time``).
Lines of kinds that carry no usage (Segment ``alias``, an ``identify`` without a group,
ignored event names) give ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.sources.events.config import EventsMapping

SEGMENT_ACTIVITY = frozenset({"track", "page", "screen"})
SEGMENT_OTHER = frozenset({"identify", "group", "alias"})


class LineError(ValueError):
    """A line that is not a usable event; the message says which field and why."""


@dataclass(frozen=True, slots=True)
class Event:
    """A usage event (``membership`` False) or a Segment group membership (True)."""

    fmt: str
    identity: str
    ts: float  # epoch seconds, UTC
    day: str  # the UTC day, ISO
    company: str | None  # the source's company id carried by the line itself
    name: str = ""
    counted: bool = True  # a track event (Segment page/screen: activity, not an event)
    feature: str | None = None
    dedup: str | None = None
    session: int | None = None  # Amplitude session_id (-1: none); None: gap-based
    membership: bool = False


def _text(value: Any) -> str | None:
    if type(value) is str:  # the common case first: ids and names are text
        return value.strip() or None
    if value is None or isinstance(value, dict | list | bool):
        return None
    text = str(value).strip()
    return text or None


def _iso_time(value: Any, field: str) -> tuple[float, str]:
    if not isinstance(value, str):
        raise LineError(f"{field}: missing or not a date-time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise LineError(f"{field}: {value[:40]!r}: not an ISO date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp(), moment.astimezone(UTC).date().isoformat()


def _epoch_time(value: Any, field: str) -> tuple[float, str]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LineError(f"{field}: {str(value)[:40]!r}: not an epoch time")
    seconds = value / 1000 if value > 100_000_000_000 else float(value)  # ms exports
    try:
        return seconds, datetime.fromtimestamp(seconds, UTC).date().isoformat()
    except (OverflowError, OSError, ValueError):
        raise LineError(f"{field}: {value!r}: not an epoch time") from None


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        return _text(value[0]) if value else None
    if isinstance(value, dict):
        return _text(next(iter(value), None))
    return _text(value)


def _feature(props: Any, mapping: EventsMapping, name: str) -> str | None:
    if mapping.feature_property is None:
        return name
    return _text(props.get(mapping.feature_property)) if isinstance(props, dict) else None


def detect(line: Mapping[str, Any]) -> str:
    """Which format a line is in, from the fields only that format has."""
    if isinstance(line.get("type"), str) and (
        line["type"] in SEGMENT_ACTIVITY or line["type"] in SEGMENT_OTHER
    ):
        return "segment"
    if "event_type" in line:
        return "amplitude"
    if "event" in line and isinstance(line.get("properties"), dict):
        return "mixpanel"
    raise LineError(
        "no known event format (Segment `type`, Amplitude `event_type`, "
        "Mixpanel `event` with `properties`)"
    )


def parse(line: Any, mapping: EventsMapping) -> Event | None:
    """The event a decoded JSON line holds (None: nothing to count)."""
    if not isinstance(line, dict):
        raise LineError("not a JSON object")
    fmt = mapping.format if mapping.format != "auto" else detect(line)
    if fmt == "segment":
        return _segment(line, mapping)
    if fmt == "amplitude":
        return _amplitude(line, mapping)
    return _mixpanel(line, mapping)


def _segment(line: dict[str, Any], mapping: EventsMapping) -> Event | None:
    kind = line.get("type")
    if kind not in SEGMENT_ACTIVITY and kind not in SEGMENT_OTHER:
        raise LineError(f"type: {str(kind)[:40]!r}: not a Segment call type")
    if kind == "alias":
        return None
    identity = _text(line.get("userId")) or _text(line.get("anonymousId"))
    if identity is None:
        raise LineError("userId / anonymousId: neither is set")
    stamp = line.get("timestamp") or line.get("originalTimestamp") or line.get("receivedAt")
    ts, day = _iso_time(stamp, "timestamp")
    context = line.get("context")
    context_group = _text(context.get("groupId")) if isinstance(context, dict) else None
    if kind in ("identify", "group"):
        group = _text(line.get("groupId")) if kind == "group" else context_group
        if group is None:
            if kind == "group":
                raise LineError("groupId: a group call without a groupId")
            return None
        return Event("segment", identity, ts, day, group, membership=True)
    if kind == "track":
        name = _text(line.get("event"))
        if name is None:
            raise LineError("event: a track call without an event name")
        if name in mapping.ignore_events:
            return None
        props = line.get("properties")
        feature = None if mapping.is_login(name) else _feature(props, mapping, name)
        counted = True
    else:  # page / screen: the user was active, but it is no product event
        name, feature, counted = "", None, False
    return Event(
        "segment",
        identity,
        ts,
        day,
        context_group,
        name=name,
        counted=counted,
        feature=feature,
        dedup=_text(line.get("messageId")),
    )


def _amplitude(line: dict[str, Any], mapping: EventsMapping) -> Event | None:
    name = _text(line.get("event_type"))
    if name is None:
        raise LineError("event_type: missing")
    if name in mapping.ignore_events:
        return None
    identity = _text(line.get("user_id")) or _text(line.get("device_id"))
    if identity is None:
        raise LineError("user_id / device_id: neither is set")
    ts, day = _iso_time(line.get("event_time"), "event_time")
    group_type = mapping.amplitude_group_type
    groups, group_props = line.get("groups"), line.get("group_properties")
    company = _first(groups.get(group_type)) if isinstance(groups, dict) else None
    if company is None and isinstance(group_props, dict):
        company = _first(group_props.get(group_type))
    session = line.get("session_id")
    if session is None or isinstance(session, bool):
        session = -1
    elif not isinstance(session, int):
        raise LineError(f"session_id: {str(session)[:40]!r}: not a number")
    login = mapping.is_login(name)
    return Event(
        "amplitude",
        identity,
        ts,
        day,
        company,
        name=name,
        feature=None if login else _feature(line.get("event_properties"), mapping, name),
        dedup=_text(line.get("$insert_id")) or _text(line.get("uuid")),
        session=session,
    )


def _mixpanel(line: dict[str, Any], mapping: EventsMapping) -> Event | None:
    name = _text(line.get("event"))
    if name is None:
        raise LineError("event: missing")
    props = line.get("properties")
    if not isinstance(props, dict):
        raise LineError("properties: missing or not an object")
    if name in mapping.ignore_events:
        return None
    identity = _text(props.get("distinct_id")) or _text(props.get("$user_id"))
    if identity is None:
        raise LineError("properties.distinct_id: missing")
    ts, day = _epoch_time(props.get("time"), "properties.time")
    company = None
    for prop in mapping.mixpanel_properties:
        company = _first(props.get(prop))
        if company is not None:
            break
    return Event(
        "mixpanel",
        identity,
        ts,
        day,
        company,
        name=name,
        feature=None if mapping.is_login(name) else _feature(props, mapping, name),
        dedup=_text(props.get("$insert_id")),
    )
