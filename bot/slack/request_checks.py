"""Checks on a raw Slack HTTP request, before Bolt sees it: signature first, then shape.

Bolt's own adapter parses the body (JSON or form) and only then verifies the
signature, and any body it cannot parse, or parses into something that is not the
object it expects, surfaces as a 500 (or as its 404 "unhandled request"). These
functions work on the raw bytes instead, in the order that keeps forged input cheap:

1. :func:`check_signature` — ``X-Slack-Request-Timestamp`` is a plain integer within
   five minutes of now, and ``X-Slack-Signature`` is Slack's HMAC-SHA256 of
   ``v0:{timestamp}:{raw body}`` (constant-time compare). Nothing is parsed.
2. :func:`check_payload` — only for signed bodies: the body decodes and parses the
   way Slack sends it (Events API JSON, a slash-command form, or ``payload=<json>``)
   and has the fields Bolt's context extraction and our middleware read, with the
   types they assume.

Each failure is a :class:`Refusal` naming a stable ``reason`` (and the offending
``field``), which the HTTP layer logs and answers with the refusal's 4xx status.
Valid Slack requests that csbot merely does not handle pass, and keep Bolt's answer.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

MAX_TIMESTAMP_SKEW_SECONDS = 300
"""Slack's replay window (``SignatureVerifier.is_valid`` uses the same five minutes)."""

JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"

EVENTS_API_TYPES = frozenset({"url_verification", "event_callback", "app_rate_limited"})
INTERACTION_TYPES = frozenset(
    {
        "block_actions",
        "block_suggestion",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
        "interactive_message",
        "dialog_submission",
        "dialog_cancellation",
        "dialog_suggestion",
        "workflow_step_edit",
    }
)
"""Top-level ``type`` values Slack posts to the Request URL; anything else is garbage."""

COMMAND_FIELDS = ("team_id", "channel_id", "user_id", "trigger_id")
"""Fields Slack sends with every slash command and our command handlers read."""

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request is refused: an HTTP status, a stable reason code, where (``field``)."""

    status: int
    reason: str
    field: str | None = None


def check_signature(
    headers: Mapping[str, str], raw_body: bytes, *, signing_secret: str, now: float
) -> Refusal | None:
    """``None`` when Slack signed exactly these bytes within the replay window, else a 401."""
    stamp = headers.get("x-slack-request-timestamp")
    signature = headers.get("x-slack-signature")
    if stamp is None:
        return Refusal(401, "timestamp_missing", "X-Slack-Request-Timestamp")
    if not _TIMESTAMP.fullmatch(stamp):
        return Refusal(401, "timestamp_not_integer", "X-Slack-Request-Timestamp")
    if abs(now - int(stamp)) > MAX_TIMESTAMP_SKEW_SECONDS:
        return Refusal(401, "timestamp_stale", "X-Slack-Request-Timestamp")
    if signature is None:
        return Refusal(401, "signature_missing", "X-Slack-Signature")
    if not _SIGNATURE.fullmatch(signature):
        return Refusal(401, "signature_malformed", "X-Slack-Signature")
    # Not slack_sdk's SignatureVerifier: it decodes the body as UTF-8 first and raises on
    # other bytes, which a forged request may well send.
    base = b"v0:" + stamp.encode("ascii") + b":" + raw_body
    expected = "v0=" + hmac.new(signing_secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return Refusal(401, "signature_mismatch", "X-Slack-Signature")
    return None


def check_payload(content_type: str | None, raw_body: bytes) -> Refusal | None:
    """``None`` when a signed body is a Slack request Bolt can parse and route, else a 4xx.

    The parse follows Bolt's own (``slack_bolt.request.internals.parse_body``), so what
    passes here is what Bolt will see: JSON when the content type says so, otherwise a
    form whose ``payload`` field, if any, holds the JSON.
    """
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type not in (JSON_TYPE, FORM_TYPE):
        return Refusal(415, "content_type_unsupported", "Content-Type")
    if not raw_body:
        return Refusal(400, "body_empty")
    try:
        text = raw_body.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal(400, "body_not_utf8")
    if media_type == JSON_TYPE:
        return _check_events_api(text)
    if text.startswith("{"):
        return Refusal(400, "form_body_is_json", "Content-Type")  # Bolt would parse it as JSON
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True, errors="strict")
    except ValueError:  # UnicodeDecodeError is a ValueError too
        return Refusal(400, "form_invalid")
    form = dict(pairs)
    if len(form) != len(pairs):
        return Refusal(400, "form_duplicate_field")
    if "payload" in form:
        return _check_interaction(form["payload"])
    if form.get("ssl_check") == "1":
        return None  # Slack's certificate probe; Bolt answers it with an empty 200
    return _check_command(form)


# --------------------------------------------------------------------------- kinds
def _check_events_api(text: str) -> Refusal | None:
    body, refusal = _json_object(text, what="body")
    if refusal is not None:
        return refusal
    kind = body.get("type")
    if not isinstance(kind, str):
        return Refusal(400, "type_missing", "type")
    if kind not in EVENTS_API_TYPES:
        return Refusal(400, "type_unknown", "type")
    if kind == "url_verification":
        return _require_str(body, "challenge")
    if kind == "event_callback":
        return _check_event_callback(body)
    return None


def _check_event_callback(body: dict[str, Any]) -> Refusal | None:
    for name in ("team_id", "event_id"):
        if refusal := _require_str(body, name):
            return refusal
    event = body.get("event")
    if not isinstance(event, dict):
        return Refusal(400, "event_missing", "event")
    if not isinstance(event.get("type"), str):
        return Refusal(400, "event_type_missing", "event.type")
    authorizations = body.get("authorizations")
    if authorizations is not None and (
        not isinstance(authorizations, list)
        or not all(isinstance(item, dict) for item in authorizations)
    ):
        return Refusal(400, "field_wrong_type", "authorizations")
    for prefix, obj in _context_objects(body):
        if refusal := _check_context_fields(obj, prefix):
            return refusal
    if event["type"] in ("message", "app_mention"):
        for name in ("channel", "ts"):
            if refusal := _require_str(event, name, prefix="event."):
                return refusal
        for name in ("text", "thread_ts", "channel_type", "subtype", "bot_id", "user"):
            if refusal := _optional_str(event, name, prefix="event."):
                return refusal
    if event["type"] == "app_home_opened":
        return _require_str(event, "user", prefix="event.")
    return None


def _check_interaction(payload_text: str) -> Refusal | None:
    body, refusal = _json_object(payload_text, what="payload")
    if refusal is not None:
        return refusal
    kind = body.get("type")
    if not isinstance(kind, str):
        return Refusal(400, "type_missing", "payload.type")
    if kind not in INTERACTION_TYPES:
        return Refusal(400, "type_unknown", "payload.type")
    user = body.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        return Refusal(400, "field_missing", "payload.user.id")
    for prefix, obj in _context_objects(body):
        if refusal := _check_context_fields(obj, "payload." + prefix):
            return refusal
    for name in ("trigger_id", "response_url"):
        if refusal := _optional_str(body, name, prefix="payload."):
            return refusal
    if kind == "block_actions":
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            return Refusal(400, "field_missing", "payload.actions")
        for index, action in enumerate(actions):
            if not isinstance(action, dict) or not isinstance(action.get("action_id"), str):
                return Refusal(400, "field_missing", f"payload.actions[{index}].action_id")
    if kind in ("view_submission", "view_closed"):
        view = body.get("view")
        if not isinstance(view, dict) or not isinstance(view.get("callback_id"), str):
            return Refusal(400, "field_missing", "payload.view.callback_id")
        if kind == "view_submission":
            state = view.get("state")
            if not isinstance(state, dict) or not isinstance(state.get("values"), dict):
                return Refusal(400, "field_missing", "payload.view.state.values")
    if kind in ("shortcut", "message_action"):
        return _require_str(body, "callback_id", prefix="payload.")
    if kind == "block_suggestion":
        return _require_str(body, "action_id", prefix="payload.")
    return None


def _check_command(form: dict[str, str]) -> Refusal | None:
    command = form.get("command")
    if command is None:
        return Refusal(400, "command_missing", "command")
    if not command.startswith("/") or len(command) < 2:
        return Refusal(400, "command_invalid", "command")
    for name in COMMAND_FIELDS:
        if not form.get(name):
            return Refusal(400, "field_missing", name)
    return None


# --------------------------------------------------------------------------- helpers
def _json_object(text: str, *, what: str) -> tuple[dict[str, Any], Refusal | None]:
    try:
        value = json.loads(text)
    except ValueError:  # JSONDecodeError
        return {}, Refusal(400, f"{what}_not_json")
    except RecursionError:  # e.g. 100k nested brackets, well inside the size cap
        return {}, Refusal(400, f"{what}_too_deep")
    if not isinstance(value, dict):
        return {}, Refusal(400, f"{what}_not_object")
    return value, None


_CONTEXT_ENTITIES = ("user", "channel", "team", "enterprise")
"""Fields Bolt's context extraction reads as "an id string or an object with ``id``"."""

_CONTEXT_NESTED = ("message", "previous_message", "item", "assistant_thread", "view", "container")
"""Nested objects Bolt's extraction (and our middleware) step into with ``.get``."""


def _context_objects(body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The objects Bolt's ``build_context`` reads ids from, with their dotted prefixes."""
    found: list[tuple[str, dict[str, Any]]] = [("", body)]
    event = body.get("event")
    if isinstance(event, dict):
        found.append(("event.", event))
    for prefix, obj in list(found):
        for name in ("message", "previous_message", "item", "assistant_thread"):
            nested = obj.get(name)
            if isinstance(nested, dict):
                found.append((f"{prefix}{name}.", nested))
    authorizations = body.get("authorizations")
    if isinstance(authorizations, list) and authorizations and isinstance(authorizations[0], dict):
        found.append(("authorizations[0].", authorizations[0]))
    return found


def _check_context_fields(obj: dict[str, Any], prefix: str) -> Refusal | None:
    for name in _CONTEXT_ENTITIES:
        value = obj.get(name)
        if value is not None and not isinstance(value, str | dict):
            return Refusal(400, "field_wrong_type", prefix + name)
    for name in _CONTEXT_NESTED:
        value = obj.get(name)
        if value is not None and not isinstance(value, dict):
            return Refusal(400, "field_wrong_type", prefix + name)
    response_urls = obj.get("response_urls")
    if response_urls is not None and (
        not isinstance(response_urls, list)
        or not all(isinstance(item, dict) for item in response_urls)
    ):
        return Refusal(400, "field_wrong_type", prefix + "response_urls")
    return None


def _require_str(obj: dict[str, Any], name: str, *, prefix: str = "") -> Refusal | None:
    if not isinstance(obj.get(name), str):
        return Refusal(400, "field_missing", prefix + name)
    return None


def _optional_str(obj: dict[str, Any], name: str, *, prefix: str = "") -> Refusal | None:
    value = obj.get(name)
    if value is not None and not isinstance(value, str):
        return Refusal(400, "field_wrong_type", prefix + name)
    return None
