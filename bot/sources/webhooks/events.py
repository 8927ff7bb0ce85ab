"""The event id and type of a verified webhook body: what the inbox is keyed by.

Only signed bodies get here. Each source names its delivery differently: Stripe's event
``id`` (``evt_…``) and ``type``; Zendesk's event ``id`` and ``type``
(``zen:event-type:ticket.created``); Intercom's notification ``id`` (``notif_…``) and
``topic``. Intercom signs no timestamp, so its body's ``created_at`` must be within five
minutes of now (a 401 ``timestamp_stale`` otherwise, as for the others' headers).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.slack.request_checks import Refusal
from bot.sources.webhooks.signatures import MAX_AGE_SECONDS

MAX_EVENT_ID_CHARS = 255


@dataclass(frozen=True, slots=True)
class EventKey:
    event_id: str
    event_type: str


_FIELDS = {"stripe": ("id", "type"), "zendesk": ("id", "type"), "intercom": ("id", "topic")}


def read_event(
    source: str, raw_body: bytes, *, now: float
) -> tuple[EventKey | None, Refusal | None]:
    """``(key, None)`` for a body with an id and a type, else ``(None, refusal)`` (400/401)."""
    try:
        text = raw_body.decode("utf-8")  # json.loads(bytes) would also take UTF-16/32
    except UnicodeDecodeError:
        return None, Refusal(400, "body_not_utf8")
    try:
        body: Any = json.loads(text)
    except (ValueError, RecursionError):
        return None, Refusal(400, "body_not_json")
    if not isinstance(body, dict):
        return None, Refusal(400, "body_not_object")
    id_field, type_field = _FIELDS[source]
    event_id = body.get(id_field)
    if isinstance(event_id, int) and not isinstance(event_id, bool):
        event_id = str(event_id)
    if not isinstance(event_id, str) or not event_id or len(event_id) > MAX_EVENT_ID_CHARS:
        return None, Refusal(400, "field_missing", id_field)
    event_type = body.get(type_field)
    if not isinstance(event_type, str) or not event_type:
        return None, Refusal(400, "field_missing", type_field)
    if source == "intercom":
        created = body.get("created_at")
        if not isinstance(created, int) or isinstance(created, bool):
            return None, Refusal(400, "field_missing", "created_at")
        if abs(now - created) > MAX_AGE_SECONDS:
            return None, Refusal(401, "timestamp_stale", "created_at")
    return EventKey(event_id, event_type[:120]), None
