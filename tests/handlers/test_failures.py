"""When things break: the person hears about it, the log has the details, Slack retries."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from bot.db.models import SlackEventClaim
from bot.slack.ids import Command
from tests.handlers.seed import DANA, seed_book
from tests.support.blockcheck import assert_valid_message
from tests.support.slack_fixtures import SlackHarness
from tests.support.slack_requests import event_payload, message_event


def test_store_down_before_the_claim_answers_500_so_slack_retries(
    sqlite_slack_harness: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    harness = sqlite_slack_harness
    seed_book(harness.services)
    payload = event_payload(message_event("How is Acme Corp doing?", user=DANA))
    with harness.services.claims_engine.begin() as connection:
        connection.execute(text("DROP TABLE slack_event_claims"))
    with caplog.at_level(logging.ERROR, logger="bot.error_handler"):
        failed = harness.dispatch(payload)
    assert failed.status == 500
    assert harness.fake.requests("chat.postMessage") == []  # no apology: a retry is coming
    [record] = [r for r in caplog.records if r.name == "bot.error_handler"]
    assert record.exc_info is not None and getattr(record, "incident_id", "")

    SlackEventClaim.__table__.create(harness.services.claims_engine)  # the store is back
    retried = harness.dispatch(payload, retry_num=1, retry_reason="http_error")
    assert retried.status == 200
    [answer] = harness.fake.calls("chat.postMessage")
    assert "Acme Corp" in answer["text"]


def test_a_failed_command_reply_is_followed_by_an_apology(
    sqlite_slack_harness: SlackHarness,
) -> None:
    seed_book(sqlite_slack_harness.services)
    sqlite_slack_harness.fake.fail_next("response_url", status=500, times=3)  # every retry
    response, _ = sqlite_slack_harness.command(Command.CS, "my accounts", user=DANA)
    assert response.status == 200
    [apology] = sqlite_slack_harness.fake.calls("response_url")
    assert apology["response_type"] == "ephemeral"
    assert "Sorry" in apology["text"] and "incident" in apology["text"]
    assert_valid_message(apology)


def test_a_bare_mention_gets_help_in_the_thread(sqlite_slack_harness: SlackHarness) -> None:
    sqlite_slack_harness.mention("", user=DANA, channel="C111", ts="1700000000.000200")
    [help_reply] = sqlite_slack_harness.fake.calls("chat.postEphemeral")
    assert help_reply["thread_ts"] == "1700000000.000200"
    assert "What you can ask me" in str(help_reply["blocks"])


def test_one_transient_500_on_an_answer_is_retried_not_apologised_for(
    sqlite_slack_harness: SlackHarness,
) -> None:
    harness = sqlite_slack_harness
    seed_book(harness.services)
    harness.fake.fail_next("chat.postMessage", status=500)
    response = harness.dispatch(event_payload(message_event("How is Acme Corp doing?", user=DANA)))
    assert response.status == 200
    [answer] = harness.fake.calls("chat.postMessage")
    assert "Acme Corp" in answer["text"] and "Sorry" not in answer["text"]
    assert [c.status for c in harness.fake.requests("chat.postMessage")] == [500, 200]


def test_a_ghost_500_on_an_answer_is_not_posted_twice(sqlite_slack_harness: SlackHarness) -> None:
    harness = sqlite_slack_harness
    seed_book(harness.services)
    harness.fake.fail_next("chat.postMessage", status=500, ghost=True)
    harness.dispatch(event_payload(message_event("How is Acme Corp doing?", user=DANA)))
    [posted] = harness.fake.all_messages()
    assert "Acme Corp" in (posted.text or "")
    assert len(harness.fake.requests("chat.postMessage")) == 1  # found, not re-posted


def test_an_answer_that_keeps_failing_ends_in_an_apology(
    sqlite_slack_harness: SlackHarness,
) -> None:
    harness = sqlite_slack_harness
    seed_book(harness.services)
    harness.fake.fail_next("chat.postMessage", status=500, times=3)
    harness.dispatch(event_payload(message_event("How is Acme Corp doing?", user=DANA)))
    [apology] = harness.fake.calls("chat.postMessage")
    assert "Sorry" in apology["text"] and "incident" in apology["text"]
