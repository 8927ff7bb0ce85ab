"""``auth.test`` (Bolt's token check at start-up) and ``apps.connections.open`` (Socket Mode)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from tests.support.fake_slack.faults import SlackErrorResponse

if TYPE_CHECKING:
    from tests.support.fake_slack.server import FakeSlackApi, MethodHandler

APP_TOKEN_METHODS = frozenset({"apps.connections.open"})


def check_token(fake: FakeSlackApi, method: str, token: str | None) -> str | None:
    """The error Slack answers for a missing or wrong token, or None."""
    if not token:
        return "not_authed"
    expected = fake.app_token if method in APP_TOKEN_METHODS else fake.bot_token
    if token != expected:
        return "invalid_auth"
    return None


def auth_test(fake: FakeSlackApi, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": "https://fake-workspace.slack.com/",
        "team": "Fake Workspace",
        "user": "csbot",
        "team_id": fake.team_id,
        "user_id": fake.bot_user_id,
        "bot_id": fake.bot_id,
        "is_enterprise_install": False,
    }


def connections_open(fake: FakeSlackApi, args: dict[str, Any]) -> dict[str, Any]:
    if not fake.socket_mode_enabled:
        raise SlackErrorResponse("invalid_auth")
    ticket = uuid.uuid4().hex
    return {"url": f"ws://127.0.0.1:{fake.port}/link/?ticket={ticket}"}


METHODS: dict[str, MethodHandler] = {
    "auth.test": auth_test,
    "apps.connections.open": connections_open,
}
