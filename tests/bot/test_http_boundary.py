"""Bad input at the HTTP boundary: capped bodies, signature first, 4xx with a logged reason.

Every request goes to the real ASGI app (``build_asgi_app`` around ``create_app``) via
httpx's ASGI transport, which feeds the body to the app chunk by chunk as it asks for
it — so a test can count how much of a body the app pulled. One test runs the same
refusals through uvicorn, the production server.
"""

from __future__ import annotations

import asyncio
import http.client
import io
import json
import logging
import sys
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

import httpx
import pytest
from sqlalchemy import Engine

from bot.log_config import configure_logging
from bot.main import build_asgi_app, build_slack_app
from tests.handlers.seed import DANA, seed_book
from tests.support.asgi_server import served
from tests.support.fake_slack import FakeSlackApi
from tests.support.slack_fixtures import slack_services_for
from tests.support.slack_requests import (
    FORM_TYPE,
    JSON_TYPE,
    block_actions,
    event_payload,
    interactive_payload,
    message_event,
    sign,
    slash_command,
    template,
)

MiB = 1024 * 1024
URL = "http://csbot.test/slack/events"


@pytest.fixture
def asgi(fake_slack: FakeSlackApi, tmp_path: Path, sqlite_engine: Engine) -> Any:
    services = slack_services_for(fake_slack, tmp_path, sqlite_engine)
    seed_book(services)
    return build_asgi_app(build_slack_app(services.settings, services), services.settings)


def post(
    asgi: Any, content: bytes | AsyncIterator[bytes], headers: Mapping[str, str | bytes]
) -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=asgi)
        async with httpx.AsyncClient(transport=transport) as client:
            return await client.post(URL, content=content, headers=headers)

    return asyncio.run(send())


def post_signed_bytes(asgi: Any, body: bytes, content_type: str | None) -> httpx.Response:
    headers = sign(body)
    if content_type is not None:
        headers["content-type"] = content_type
    return post(asgi, body, headers)


def refusals(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage() == "refused Slack request"]


# --------------------------------------------------------------------------- bodies
def _event(**changes: Any) -> bytes:
    body = json.loads(event_payload(message_event("How is Acme Corp doing?", user=DANA)).body)
    for dotted, value in changes.items():
        target = body
        *path, last = dotted.split("__")
        for key in path:
            target = target[key]
        if value is _DROP:
            target.pop(last)
        else:
            target[last] = value
    return json.dumps(body).encode()


def _interaction(kind: str, **changes: Any) -> bytes:
    if kind == "block_actions":
        body = block_actions("some_action", "v").json()
    else:
        body = template(f"{kind}.json")
    for key, value in changes.items():
        if value is _DROP:
            body.pop(key, None)
        else:
            body[key] = value
    return interactive_payload(body).body.encode()


def _command(**changes: str | None) -> bytes:
    form = dict(slash_command("/cs", "my accounts", user_id=DANA).json())
    for key, value in changes.items():
        if value is None:
            form.pop(key)
        else:
            form[key] = value
    return urlencode(form).encode()


_DROP = object()

MALFORMED_SIGNED = [
    # (id, content type, body, status, reason, field)
    ("empty", JSON_TYPE, b"", 400, "body_empty", None),
    ("not-utf8", JSON_TYPE, b'{"type": "\xff\xfe"}', 400, "body_not_utf8", None),
    ("json-garbage", JSON_TYPE, b"{not json", 400, "body_not_json", None),
    ("json-array", JSON_TYPE, b"[1, 2]", 400, "body_not_object", None),
    ("json-string", JSON_TYPE, b'"event_callback"', 400, "body_not_object", None),
    ("json-deep", JSON_TYPE, b"[" * 200_000, 400, "body_too_deep", None),
    ("json-no-type", JSON_TYPE, b"{}", 400, "type_missing", "type"),
    ("json-type-number", JSON_TYPE, b'{"type": 5}', 400, "type_missing", "type"),
    ("json-type-unknown", JSON_TYPE, b'{"type": "banana"}', 400, "type_unknown", "type"),
    (
        "challenge-missing",
        JSON_TYPE,
        b'{"type": "url_verification"}',
        400,
        "field_missing",
        "challenge",
    ),
    ("event-missing", JSON_TYPE, _event(event=_DROP), 400, "event_missing", "event"),
    ("event-a-string", JSON_TYPE, _event(event="message"), 400, "event_missing", "event"),
    (
        "event-no-type",
        JSON_TYPE,
        _event(event__type=_DROP),
        400,
        "event_type_missing",
        "event.type",
    ),
    ("event-team-missing", JSON_TYPE, _event(team_id=_DROP), 400, "field_missing", "team_id"),
    ("event-id-number", JSON_TYPE, _event(event_id=7), 400, "field_missing", "event_id"),
    (
        "authorizations-string",
        JSON_TYPE,
        _event(authorizations="T111"),
        400,
        "field_wrong_type",
        "authorizations",
    ),
    ("event-user-number", JSON_TYPE, _event(event__user=42), 400, "field_wrong_type", "event.user"),
    (
        "message-no-channel",
        JSON_TYPE,
        _event(event__channel=_DROP),
        400,
        "field_missing",
        "event.channel",
    ),
    (
        "message-text-list",
        JSON_TYPE,
        _event(event__text=["hi"]),
        400,
        "field_wrong_type",
        "event.text",
    ),
    ("content-type-text", "text/plain", _event(), 415, "content_type_unsupported", "Content-Type"),
    ("content-type-missing", None, _event(), 415, "content_type_unsupported", "Content-Type"),
    ("form-holding-json", FORM_TYPE, _event(), 400, "form_body_is_json", "Content-Type"),
    ("form-bad-encoding", FORM_TYPE, b"command=%2Fcs&text=%ff%fe", 400, "form_invalid", None),
    ("form-field-without-value", FORM_TYPE, b"command&text", 400, "form_invalid", None),
    (
        "form-duplicate-field",
        FORM_TYPE,
        _command() + b"&command=%2Fother",
        400,
        "form_duplicate_field",
        None,
    ),
    ("form-not-slack", FORM_TYPE, b"hello=world", 400, "command_missing", "command"),
    ("command-no-slash", FORM_TYPE, _command(command="cs"), 400, "command_invalid", "command"),
    ("command-no-user", FORM_TYPE, _command(user_id=None), 400, "field_missing", "user_id"),
    ("payload-not-json", FORM_TYPE, b"payload=%7Bnope", 400, "payload_not_json", None),
    ("payload-array", FORM_TYPE, b"payload=%5B1%5D", 400, "payload_not_object", None),
    ("payload-no-type", FORM_TYPE, b"payload=%7B%7D", 400, "type_missing", "payload.type"),
    (
        "payload-type-unknown",
        FORM_TYPE,
        _interaction("block_actions", type="banana"),
        400,
        "type_unknown",
        "payload.type",
    ),
    (
        "payload-no-user",
        FORM_TYPE,
        _interaction("block_actions", user=_DROP),
        400,
        "field_missing",
        "payload.user.id",
    ),
    (
        "actions-missing",
        FORM_TYPE,
        _interaction("block_actions", actions=_DROP),
        400,
        "field_missing",
        "payload.actions",
    ),
    (
        "actions-empty",
        FORM_TYPE,
        _interaction("block_actions", actions=[]),
        400,
        "field_missing",
        "payload.actions",
    ),
    (
        "action-without-id",
        FORM_TYPE,
        _interaction("block_actions", actions=[{"value": "x"}]),
        400,
        "field_missing",
        "payload.actions[0].action_id",
    ),
    (
        "payload-channel-number",
        FORM_TYPE,
        _interaction("block_actions", channel=5),
        400,
        "field_wrong_type",
        "payload.channel",
    ),
    (
        "payload-message-string",
        FORM_TYPE,
        _interaction("block_actions", message="hi"),
        400,
        "field_wrong_type",
        "payload.message",
    ),
    (
        "view-missing",
        FORM_TYPE,
        _interaction("view_submission", view=_DROP),
        400,
        "field_missing",
        "payload.view.callback_id",
    ),
]


@pytest.mark.parametrize(
    ("content_type", "body", "status", "reason", "field"),
    [case[1:] for case in MALFORMED_SIGNED],
    ids=[case[0] for case in MALFORMED_SIGNED],
)
def test_malformed_signed_bodies_get_a_4xx_with_the_reason_logged(
    asgi: Any,
    fake_slack: FakeSlackApi,
    caplog: pytest.LogCaptureFixture,
    content_type: str | None,
    body: bytes,
    status: int,
    reason: str,
    field: str | None,
) -> None:
    caplog.set_level(logging.INFO)
    response = post_signed_bytes(asgi, body, content_type)

    assert (response.status_code, response.json()) == (status, {"error": reason})
    [refused] = refusals(caplog)
    assert (refused.reason, refused.field, refused.http_status) == (reason, field, status)  # type: ignore[attr-defined]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert fake_slack.requests("chat.postMessage") == []


TIMESTAMP = "x-slack-request-timestamp"
SIGNATURE = "x-slack-signature"
BAD_SIGNING = [
    # (id, header, value (None: left out), reason)
    ("timestamp-word", TIMESTAMP, "abc", "timestamp_not_integer"),
    ("timestamp-decimal", TIMESTAMP, "1700000000.5", "timestamp_not_integer"),
    ("timestamp-plus-sign", TIMESTAMP, "+1700000000", "timestamp_not_integer"),
    ("timestamp-full-width-digits", TIMESTAMP, "１７００００００００", "timestamp_not_integer"),
    ("timestamp-superscripts", TIMESTAMP, "¹⁷⁰⁰⁰⁰⁰⁰⁰⁰", "timestamp_not_integer"),
    ("timestamp-40-digits", TIMESTAMP, "9" * 40, "timestamp_not_integer"),
    ("timestamp-missing", TIMESTAMP, None, "timestamp_missing"),
    ("timestamp-stale", TIMESTAMP, "OLD", "timestamp_stale"),
    ("timestamp-future", TIMESTAMP, "NEW", "timestamp_stale"),
    ("signature-missing", SIGNATURE, None, "signature_missing"),
    ("signature-not-hex", SIGNATURE, "v0=nothex", "signature_malformed"),
    ("signature-wrong", SIGNATURE, "v0=" + "0" * 64, "signature_mismatch"),
]


@pytest.mark.parametrize(
    ("header", "value", "reason"),
    [case[1:] for case in BAD_SIGNING],
    ids=[case[0] for case in BAD_SIGNING],
)
def test_bad_timestamps_and_signatures_get_401(
    asgi: Any, caplog: pytest.LogCaptureFixture, header: str, value: str | None, reason: str
) -> None:
    caplog.set_level(logging.INFO)
    body = _event()
    now = int(time.time())
    stamp = {"OLD": now - 301, "NEW": now + 301}.get(value or "")
    sent: dict[str, str | bytes] = {"content-type": JSON_TYPE, **sign(body, timestamp=stamp)}
    if stamp is None:
        sent.pop(header)
        if value is not None:
            sent[header] = value.encode()  # UTF-8 on the wire; servers decode as Latin-1
    response = post(asgi, body, sent)

    assert (response.status_code, response.json()) == (401, {"error": reason})
    [refused] = refusals(caplog)
    assert refused.reason == reason  # type: ignore[attr-defined]


def test_unsigned_garbage_is_refused_401_before_anything_is_parsed(
    asgi: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for body in (b"[" * 200_000, b"payload=%7Bnope", b"\xff\xfe"):
        headers = {"content-type": JSON_TYPE, **sign(body, "not-the-apps-secret")}
        assert post(asgi, body, headers).status_code == 401
    assert [r.reason for r in refusals(caplog)] == ["signature_mismatch"] * 3  # type: ignore[attr-defined]


def test_a_body_altered_after_signing_is_refused(asgi: Any) -> None:
    body = _event()
    headers = {"content-type": JSON_TYPE, **sign(body)}
    response = post(asgi, body.replace(b"Acme Corp", b"Acme Corq"), headers)
    assert (response.status_code, response.json()) == (401, {"error": "signature_mismatch"})


# --------------------------------------------------------------------------- size cap
def test_a_declared_length_over_the_cap_is_refused_413_unread(
    asgi: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    pulled = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(10):
            pulled += MiB
            yield b"x" * MiB

    headers = {"content-type": JSON_TYPE, "content-length": str(10 * MiB), **sign(b"")}
    response = post(asgi, body(), headers)

    assert (response.status_code, response.json()) == (413, {"error": "body_too_large"})
    assert pulled == 0  # refused on the declared length: not one chunk was read
    [refused] = refusals(caplog)
    assert (refused.field, refused.body_bytes_read) == ("Content-Length", 0)  # type: ignore[attr-defined]


def test_a_chunked_body_is_cut_off_at_the_cap(asgi: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    chunk = 64 * 1024
    pulled = 0

    async def endless() -> AsyncIterator[bytes]:  # no Content-Length: chunked
        nonlocal pulled
        while pulled < 1024 * MiB:
            pulled += chunk
            yield b"x" * chunk

    response = post(asgi, endless(), {"content-type": JSON_TYPE, **sign(b"")})

    assert (response.status_code, response.json()) == (413, {"error": "body_too_large"})
    assert MiB < pulled <= MiB + 2 * chunk
    [refused] = refusals(caplog)
    assert refused.body_bytes_read == MiB + chunk  # type: ignore[attr-defined]


def test_the_cap_is_a_setting(
    fake_slack: FakeSlackApi, tmp_path: Path, sqlite_engine: Engine
) -> None:
    services = slack_services_for(
        fake_slack, tmp_path, sqlite_engine, CSBOT_SLACK_MAX_BODY_BYTES=8192
    )
    small_cap = build_asgi_app(build_slack_app(services.settings, services), services.settings)
    big = block_actions("some_action", "v" * 9000).body.encode()
    assert post_signed_bytes(small_cap, big, FORM_TYPE).status_code == 413


def test_valid_requests_still_reach_bolt(asgi: Any, fake_slack: FakeSlackApi) -> None:
    dm = post_signed_bytes(asgi, _event(), JSON_TYPE)
    challenge = post_signed_bytes(
        asgi, b'{"type": "url_verification", "challenge": "c1"}', JSON_TYPE
    )
    command = post_signed_bytes(asgi, _command(response_url=fake_slack.response_url()), FORM_TYPE)
    ssl_check = post_signed_bytes(asgi, b"ssl_check=1&token=x", FORM_TYPE)
    unhandled_click = post_signed_bytes(asgi, _interaction("block_actions"), FORM_TYPE)

    assert (dm.status_code, command.status_code, ssl_check.status_code) == (200, 200, 200)
    assert challenge.json() == {"challenge": "c1"}
    assert unhandled_click.status_code == 404  # valid but unhandled: Bolt's own answer
    [answer] = fake_slack.wait_for("chat.postMessage", timeout=10)
    [reply] = fake_slack.wait_for("response_url", timeout=10)
    fake_slack.wait_quiet(0.3)  # the listeners finish before the fake stops
    assert "Acme Corp" in answer["text"] and "Your accounts" in reply["text"]


# --------------------------------------------------------------------------- logging
@pytest.fixture
def log_output(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """What the entry point's real log configuration (JSON lines on stderr) writes."""
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("DEBUG", json_lines=True)
    yield stream
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


def test_no_log_line_carries_a_body(
    fake_slack: FakeSlackApi,
    tmp_path: Path,
    sqlite_engine: Engine,
    log_output: io.StringIO,
) -> None:
    # a cap above 10 MB, so the forged body is read in full and reaches the signature check
    services = slack_services_for(
        fake_slack, tmp_path, sqlite_engine, CSBOT_SLACK_MAX_BODY_BYTES=16 * MiB
    )
    asgi = build_asgi_app(build_slack_app(services.settings, services), services.settings)
    marker = "SECRET-CUSTOMER-TEXT"
    forged = json.dumps({"type": "event_callback", "text": marker * (10 * MiB // 20)}).encode()
    headers = {"content-type": JSON_TYPE, **sign(forged, "not-the-apps-secret")}
    assert post(asgi, forged, headers).status_code == 401
    # signed and valid but unhandled: Bolt warns "Unhandled request (…)" with the action id
    click = _interaction(
        "block_actions", actions=[{"type": "button", "action_id": marker * 10_000}]
    )
    assert post_signed_bytes(asgi, click, FORM_TYPE).status_code == 404

    lines = log_output.getvalue().splitlines()
    assert any('"reason": "signature_mismatch"' in line for line in lines)
    assert any("Unhandled request" in line for line in lines)
    assert max(len(line) for line in lines) < 1000
    assert not [line for line in lines if marker * 20 in line]


# --------------------------------------------------------------------------- uvicorn
def test_refusals_through_uvicorn(asgi: Any) -> None:
    body = _event()
    with served(asgi) as base:
        address = urlparse(base)

        def send(headers: dict[str, str], content: bytes = body) -> int:
            connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
            try:
                connection.request("POST", "/slack/events", body=content, headers=headers)
                return connection.getresponse().status
            finally:
                connection.close()

        signed = {"content-type": JSON_TYPE, **sign(body)}
        assert send(signed) == 200
        assert send({**signed, "x-slack-request-timestamp": "soon"}) == 401
        assert send(signed, content=b"{" + b" " * MiB + b"}") == 413
        assert send(signed) == 200  # a fresh connection after the refusal is served
