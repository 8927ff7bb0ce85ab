"""Only requests Slack signed, recently, reach a listener or the store."""

from __future__ import annotations

import time

import pytest

from tests.handlers.seed import DANA, seed_book
from tests.support.slack_fixtures import SlackHarness
from tests.support.slack_requests import event_payload, message_event, slash_command


@pytest.mark.parametrize(
    "signing",
    [
        {"signing_secret": "not-the-apps-secret"},
        {"timestamp": int(time.time()) - 301},  # replayed: older than 5 minutes
    ],
    ids=["forged", "stale"],
)
def test_forged_or_stale_requests_get_401_and_do_nothing(
    sqlite_slack_harness: SlackHarness, signing: dict
) -> None:
    seed_book(sqlite_slack_harness.services)
    for payload in (
        event_payload(message_event("How is Acme Corp doing?", user=DANA)),
        slash_command("/cs", "How is Acme Corp doing?", user_id=DANA),
    ):
        response = sqlite_slack_harness.dispatch(payload, **signing)
        assert response.status == 401
    assert sqlite_slack_harness.fake.requests("chat.postMessage") == []
    assert sqlite_slack_harness.fake.requests("response_url") == []


def test_a_body_altered_after_signing_is_refused(sqlite_slack_harness: SlackHarness) -> None:
    from slack_bolt.request import BoltRequest

    from tests.support.slack_requests import signed_headers

    payload = event_payload(message_event("hello", user=DANA))
    headers = signed_headers(payload)
    tampered = payload.body.replace("hello", "how is Acme Corp doing?")
    response = sqlite_slack_harness.app.dispatch(
        BoltRequest(body=tampered, headers={k: [v] for k, v in headers.items()})
    )
    assert response.status == 401


def test_url_verification_challenge_is_echoed_for_signed_requests(
    sqlite_slack_harness: SlackHarness,
) -> None:
    import json

    from tests.support.slack_requests import JSON_TYPE, SlackPayload

    body = json.dumps({"token": "x", "challenge": "3eZbrw1aB", "type": "url_verification"})
    response = sqlite_slack_harness.dispatch(SlackPayload(body, JSON_TYPE))
    assert response.status == 200
    assert json.loads(response.body) == {"challenge": "3eZbrw1aB"}
    forged = sqlite_slack_harness.dispatch(SlackPayload(body, JSON_TYPE), signing_secret="x")
    assert forged.status == 401
