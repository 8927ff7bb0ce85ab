"""The served transports: HTTP under uvicorn (in-process and via `csbot serve`), Socket Mode."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.main import build_asgi_app, build_slack_app, build_socket_mode_handler
from tests.handlers.seed import DANA, seed_book
from tests.support.asgi_server import served
from tests.support.blockcheck import assert_valid_message
from tests.support.fake_slack import FakeSlackApi
from tests.support.slack_fixtures import slack_services_for
from tests.support.slack_requests import (
    SIGNING_SECRET,
    event_payload,
    message_event,
    post_signed,
    slash_command,
)
from tests.support.slack_socket_mode import send_envelope, wait_for_ack

REPO = Path(__file__).resolve().parents[2]
CSBOT = str(Path(sys.executable).parent / "csbot")


def test_http_mode_served_by_uvicorn(
    fake_slack: FakeSlackApi, tmp_path: Path, engine: Engine
) -> None:
    services = slack_services_for(fake_slack, tmp_path, engine)
    seed_book(services)
    asgi = build_asgi_app(build_slack_app(services.settings, services), services.settings)

    with served(asgi) as base:
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as health:
            assert health.status == 200
        url = f"{base}/slack/events"
        dm = post_signed(url, event_payload(message_event("How is Acme Corp doing?", user=DANA)))
        forged = post_signed(
            url, event_payload(message_event("my accounts", user=DANA)), signing_secret="nope"
        )
        command = post_signed(
            url,
            slash_command(
                "/cs", "my accounts", user_id=DANA, response_url=fake_slack.response_url()
            ),
        )
        [answer] = fake_slack.wait_for("chat.postMessage", timeout=10)
        [reply] = fake_slack.wait_for("response_url", timeout=10)

    assert (dm.status, forged.status, command.status) == (200, 401, 200)
    assert dm.seconds < 3 and command.seconds < 3
    assert answer["channel"] == "D111" and "Acme Corp" in answer["text"]
    assert_valid_message(answer)
    assert "Your accounts" in reply["text"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve_env(fake: FakeSlackApi, database_url: str, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CSBOT_"))}
    env.update(
        SLACK_BOT_TOKEN=fake.bot_token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.base_url,
        CSBOT_DATABASE_URL=database_url,
        CSBOT_DATA_DIR=str(tmp_path / "var"),
        CSBOT_LOG_JSON="true",
        CSBOT_EMBEDDER="hashing",  # serve warms the embedder at start; no MiniLM in tests
    )
    return env


@pytest.mark.real_clock
def test_csbot_serve_http_answers_and_stops_cleanly(
    fake_slack: FakeSlackApi, tmp_path: Path, sqlite_engine: Engine
) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    seed_book(slack_services_for(fake_slack, tmp_path, sqlite_engine))
    port = _free_port()
    process = subprocess.Popen(
        [CSBOT, "serve", "--http", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO,
        env=_serve_env(fake_slack, url, tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.communicate()[1][-2000:]) from None
                time.sleep(0.2)
        reply = post_signed(
            f"http://127.0.0.1:{port}/slack/events",
            event_payload(message_event("How is Acme Corp doing?", user=DANA)),
        )
        assert reply.status == 200
        [answer] = fake_slack.wait_for("chat.postMessage", timeout=15)
        assert "Acme Corp" in answer["text"]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    # uvicorn shuts down gracefully, then re-raises SIGTERM so supervisors see why it ended
    assert process.returncode in (0, -signal.SIGTERM), stderr[-2000:]
    assert "draining Slack listeners" in stderr and "Application shutdown complete" in stderr


def test_csbot_serve_http_without_signing_secret_names_the_variable(
    fake_slack: FakeSlackApi, tmp_path: Path
) -> None:
    env = _serve_env(fake_slack, f"sqlite:///{tmp_path / 'x.db'}", tmp_path)
    del env["SLACK_SIGNING_SECRET"]
    result = subprocess.run(
        [CSBOT, "serve", "--http", "--port", "0"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET: required for serve --http" in result.stderr


def test_socket_mode_receives_envelopes_acks_and_answers(
    fake_slack: FakeSlackApi, tmp_path: Path, sqlite_engine: Engine
) -> None:
    services = slack_services_for(fake_slack, tmp_path, sqlite_engine)
    seed_book(services)
    handler = build_socket_mode_handler(services.settings, services)
    handler.connect()
    try:
        [opened] = fake_slack.requests("apps.connections.open")
        assert opened.token == fake_slack.app_token
        event = event_payload(message_event("How is Acme Corp doing?", user=DANA)).json()
        envelope_id = send_envelope(fake_slack, "events_api", event)
        wait_for_ack(fake_slack, envelope_id)
        [answer] = fake_slack.wait_for("chat.postMessage", timeout=10)
        retried = send_envelope(
            fake_slack, "events_api", event, retry_attempt=1, retry_reason="timeout"
        )
        wait_for_ack(fake_slack, retried)
        command = slash_command(
            "/cs", "my accounts", user_id=DANA, response_url=fake_slack.response_url()
        ).json()
        wait_for_ack(fake_slack, send_envelope(fake_slack, "slash_commands", command))
        [reply] = fake_slack.wait_for("response_url", timeout=10)
        fake_slack.wait_quiet(0.3)
    finally:
        handler.close()
    assert "Acme Corp" in answer["text"]
    assert len(fake_slack.calls("chat.postMessage")) == 1  # the retry was not re-answered
    assert "Your accounts" in reply["text"]


def test_csbot_serve_socket_answers_and_stops_on_sigterm(
    fake_slack: FakeSlackApi, tmp_path: Path, sqlite_engine: Engine
) -> None:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    seed_book(slack_services_for(fake_slack, tmp_path, sqlite_engine))
    env = _serve_env(fake_slack, url, tmp_path)
    env.update(SLACK_APP_TOKEN=fake_slack.app_token)
    del env["SLACK_SIGNING_SECRET"]  # Socket Mode needs no signing secret
    process = subprocess.Popen(
        [CSBOT, "serve", "--socket"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        event = event_payload(message_event("How is Acme Corp doing?", user=DANA)).json()
        envelope_id = send_envelope(fake_slack, "events_api", event, timeout=60)
        wait_for_ack(fake_slack, envelope_id)
        [answer] = fake_slack.wait_for("chat.postMessage", timeout=15)
        assert "Acme Corp" in answer["text"]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr[-2000:]
    assert "Socket Mode stopped" in stderr
    assert '"knowledge warm"' in stderr  # the model is loaded at start, off the ack path


@pytest.mark.parametrize("missing", ["SLACK_APP_TOKEN"])
def test_socket_mode_needs_the_app_token(
    fake_slack: FakeSlackApi, tmp_path: Path, sqlite_engine: Engine, missing: str
) -> None:
    from bot.errors import ConfigurationError

    services = slack_services_for(fake_slack, tmp_path, sqlite_engine, SLACK_APP_TOKEN=None)
    with pytest.raises(ConfigurationError, match=missing):
        build_socket_mode_handler(services.settings, services)
