"""Correctly signed Slack requests for the app in HTTP mode, built from Slack's own payloads.

Bodies start from the templates in ``tests/support/slack_payloads`` (copied from the
bolt-python and java-slack-sdk fixtures) with ids, text, timestamps and URLs filled
in, and are encoded the way Slack sends them: Events API as raw JSON, slash commands
as a form, interactions as ``payload=<json>`` in a form. Signatures follow Slack's
scheme (``v0:{timestamp}:{raw body}``, HMAC-SHA256), so Bolt's real request
verification runs in every test.

Two ways in:

* ``signed_request(payload, signing_secret=...)`` → a ``BoltRequest`` for ``app.dispatch``;
* ``post_signed(url, payload, signing_secret=...)`` → a real HTTP POST to a served app.
"""

from __future__ import annotations

import copy
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier

PAYLOADS_DIR = Path(__file__).parent / "slack_payloads"
SIGNING_SECRET = "fake-signing-secret-for-tests"
TEAM_ID = "T111"
API_APP_ID = "A111"
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"

_sequence = itertools.count(1)


@dataclass(frozen=True, slots=True)
class SlackPayload:
    """A raw request body as Slack would send it, with its content type."""

    body: str
    content_type: str

    def json(self) -> dict[str, Any]:
        """The payload as a dict (for Socket Mode envelopes, which carry parsed JSON)."""
        if self.content_type == JSON_TYPE:
            return dict(json.loads(self.body))
        from urllib.parse import parse_qsl

        form = dict(parse_qsl(self.body, keep_blank_values=True))
        if set(form) == {"payload"}:
            return dict(json.loads(form["payload"]))
        return form


@cache
def _template(name: str) -> dict[str, Any]:
    return dict(json.loads((PAYLOADS_DIR / name).read_text()))


def template(name: str) -> dict[str, Any]:
    """A deep copy of a payload template (``event_message.json`` …)."""
    return copy.deepcopy(_template(name))


def new_ts() -> str:
    """A unique message ``ts`` for messages people send (distinct from the fake's own)."""
    return f"{int(time.time())}.{500000 + next(_sequence) % 400000:06d}"


def new_event_id() -> str:
    return "Ev" + uuid.uuid4().hex[:10].upper()


# --------------------------------------------------------------------------- signing
def sign(
    body: str | bytes, signing_secret: str = SIGNING_SECRET, *, timestamp: int | None = None
) -> dict[str, str]:
    """Slack's signature headers for ``body`` (bytes that are not UTF-8 are signed as-is)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
    except UnicodeDecodeError:
        digest = hmac.new(signing_secret.encode(), f"v0:{stamp}:".encode() + body, "sha256")
        signature = f"v0={digest.hexdigest()}"
    else:
        signature = SignatureVerifier(signing_secret).generate_signature(timestamp=stamp, body=text)
    return {"x-slack-request-timestamp": stamp, "x-slack-signature": signature}


def signed_headers(
    payload: SlackPayload,
    *,
    signing_secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str | None = None,
) -> dict[str, str]:
    headers = {
        "content-type": payload.content_type,
        **sign(payload.body, signing_secret, timestamp=timestamp),
    }
    if retry_num is not None:
        headers["x-slack-retry-num"] = str(retry_num)
        headers["x-slack-retry-reason"] = retry_reason or "http_timeout"
    return headers


def signed_request(
    payload: SlackPayload,
    *,
    signing_secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str | None = None,
) -> BoltRequest:
    """A ``BoltRequest`` exactly as Bolt's HTTP adapters build it (list-valued headers)."""
    headers = signed_headers(
        payload,
        signing_secret=signing_secret,
        timestamp=timestamp,
        retry_num=retry_num,
        retry_reason=retry_reason,
    )
    return BoltRequest(body=payload.body, headers={k: [v] for k, v in headers.items()})


@dataclass(frozen=True, slots=True)
class HttpReply:
    status: int
    body: str
    seconds: float


def post_signed(
    url: str,
    payload: SlackPayload,
    *,
    signing_secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    retry_num: int | None = None,
    timeout: float = 10.0,
) -> HttpReply:
    """POST a signed payload to a served app and time the answer (the ack)."""
    headers = signed_headers(
        payload, signing_secret=signing_secret, timestamp=timestamp, retry_num=retry_num
    )
    request = urllib.request.Request(
        url, data=payload.body.encode("utf-8"), headers=headers, method="POST"
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - local
            body = response.read().decode("utf-8")
            status = response.status
    except urllib.error.HTTPError as error:
        body = error.read().decode("utf-8")
        status = error.code
    return HttpReply(status=status, body=body, seconds=time.perf_counter() - started)


# --------------------------------------------------------------------------- events
def event_payload(
    event: dict[str, Any],
    *,
    event_id: str | None = None,
    team_id: str = TEAM_ID,
    bot_user_id: str = "UCSBOT",
) -> SlackPayload:
    """An ``event_callback`` envelope around ``event`` (shape: bolt-python's fixture)."""
    body = template("event_app_mention.json")
    body.pop("enterprise_id", None)
    body.update(
        team_id=team_id,
        api_app_id=API_APP_ID,
        event=event,
        event_id=event_id or new_event_id(),
        event_time=int(time.time()),
        authed_users=[bot_user_id],
        authorizations=[
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
    )
    return SlackPayload(json.dumps(body), JSON_TYPE)


def message_event(
    text: str,
    *,
    user: str = "U111",
    channel: str = "D111",
    channel_type: str = "im",
    ts: str | None = None,
    thread_ts: str | None = None,
    subtype: str | None = None,
    bot_id: str | None = None,
    team_id: str = TEAM_ID,
) -> dict[str, Any]:
    """A ``message`` event (DM by default) as in bolt-python's message fixture."""
    event = _user_event(
        "event_message.json",
        text,
        user=user,
        channel=channel,
        ts=ts,
        thread_ts=thread_ts,
        team_id=team_id,
        channel_type=channel_type,
    )
    event["blocks"][0]["elements"][0]["elements"][0]["text"] = text
    if subtype is not None:
        event["subtype"] = subtype
    if bot_id is not None:
        event["bot_id"] = bot_id
    return event


def app_mention_event(
    text: str,
    *,
    user: str = "U111",
    channel: str = "C111",
    ts: str | None = None,
    thread_ts: str | None = None,
    team_id: str = TEAM_ID,
) -> dict[str, Any]:
    """An ``app_mention`` event (text should contain ``<@BOT>``)."""
    return _user_event(
        "event_app_mention.json",
        text,
        user=user,
        channel=channel,
        ts=ts,
        thread_ts=thread_ts,
        team_id=team_id,
    )


def _user_event(
    template_name: str,
    text: str,
    *,
    user: str,
    channel: str,
    ts: str | None,
    thread_ts: str | None,
    team_id: str,
    **fields: str,
) -> dict[str, Any]:
    """A recorded event a person sent, re-stamped with this test's text, ids and time."""
    event = template(template_name)["event"]
    stamp = ts or new_ts()
    event.update(
        client_msg_id=str(uuid.uuid4()),
        text=text,
        user=user,
        ts=stamp,
        event_ts=stamp,
        team=team_id,
        channel=channel,
        **fields,
    )
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def app_home_opened_event(
    user: str = "U111", *, tab: str = "home", channel: str | None = None
) -> dict[str, Any]:
    """``app_home_opened`` for the Home or Messages tab (shape: java-slack-sdk sample)."""
    shape = template("event_app_home_opened.shape.json")["event"]
    event = {key: shape[key] for key in ("type", "user", "channel", "tab", "event_ts")}
    event.update(user=user, tab=tab, channel=channel or "D" + user, event_ts=new_ts())
    if tab == "home":
        event["view"] = {"id": "V0HOME" + user, "type": "home", "team_id": TEAM_ID}
    return event


# --------------------------------------------------------------------------- commands
def slash_command(
    command: str,
    text: str = "",
    *,
    user_id: str = "U111",
    channel_id: str = "C111",
    channel_name: str = "cs-team",
    response_url: str = "https://hooks.slack.com/commands/T111/111/xxxxx",
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
) -> SlackPayload:
    """A slash command as Slack posts it (form-encoded; fields from bolt-python's fixture)."""
    form = template("slash_command.json")
    for key in ("enterprise_id", "enterprise_name"):
        form.pop(key, None)
    form.update(
        team_id=team_id,
        channel_id=channel_id,
        channel_name=channel_name,
        user_id=user_id,
        user_name=user_id.lower(),
        command=command,
        text=text,
        response_url=response_url,
        trigger_id=trigger_id or f"{next(_sequence)}.{int(time.time())}.fake",
        api_app_id=API_APP_ID,
    )
    return SlackPayload(urlencode(form), FORM_TYPE)


# --------------------------------------------------------------------------- interactions
def interactive_payload(payload: dict[str, Any]) -> SlackPayload:
    """How Slack posts interactions: ``payload=<json>`` as a form field."""
    return SlackPayload(urlencode({"payload": json.dumps(payload)}), FORM_TYPE)


def block_actions(
    action_id: str,
    value: str | None = None,
    *,
    user_id: str = "U111",
    channel_id: str = "C111",
    message_ts: str | None = None,
    thread_ts: str | None = None,
    is_ephemeral: bool = False,
    response_url: str = "https://hooks.slack.com/actions/T111/111/random-value",
    block_id: str = "answer_actions",
    trigger_id: str | None = None,
    message: dict[str, Any] | None = None,
    team_id: str = TEAM_ID,
) -> SlackPayload:
    """A ``block_actions`` click on a button in a message (bolt-python's fixture shape)."""
    body = template("block_actions.json")
    stamp = message_ts or new_ts()
    body["user"].update(id=user_id, username=user_id.lower(), name=user_id.lower(), team_id=team_id)
    body["team"] = {"id": team_id, "domain": "fake-workspace"}
    body["container"] = {
        "type": "message",
        "message_ts": stamp,
        "channel_id": channel_id,
        "is_ephemeral": is_ephemeral,
    }
    if thread_ts:
        body["container"]["thread_ts"] = thread_ts
    body["channel"] = {"id": channel_id, "name": channel_id.lower()}
    body["response_url"] = response_url
    body["trigger_id"] = trigger_id or f"{next(_sequence)}.{int(time.time())}.fake"
    action = body["actions"][0]
    action.update(action_id=action_id, block_id=block_id, action_ts=new_ts())
    if value is None:
        action.pop("value", None)
    else:
        action["value"] = value
    if is_ephemeral:
        body.pop("message", None)
    else:
        body["message"] = message or {
            "type": "message",
            "ts": stamp,
            "user": "UCSBOT",
            "text": "answer",
            **({"thread_ts": thread_ts} if thread_ts else {}),
        }
    return interactive_payload(body)


def view_submission(
    callback_id: str,
    values: dict[str, dict[str, dict[str, Any]]],
    *,
    user_id: str = "U111",
    private_metadata: str = "",
    blocks: list[dict[str, Any]] | None = None,
    title: str = "csbot",
    team_id: str = TEAM_ID,
) -> SlackPayload:
    """A ``view_submission`` with ``state.values`` = ``{block_id: {action_id: {...}}}``."""
    body = template("view_submission.json")
    body["team"] = {"id": team_id, "domain": "fake-workspace"}
    body["user"].update(id=user_id, username=user_id.lower(), name=user_id.lower(), team_id=team_id)
    view = body["view"]
    view.update(
        callback_id=callback_id,
        private_metadata=private_metadata,
        state={"values": values},
        title={"type": "plain_text", "text": title},
        team_id=team_id,
    )
    if blocks is not None:
        view["blocks"] = blocks
    return interactive_payload(body)
