"""Questions arriving as events, through signed requests into the real app and a fake Slack."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from bot.db.models import SlackEventClaim, SlackThread
from bot.db.session import make_engine
from bot.slack.ids import ActionId
from tests.handlers.seed import DANA, MAX, STRANGER, seed_book
from tests.support.block_reading import action_ids
from tests.support.blockcheck import assert_valid_message
from tests.support.fake_slack import FakeSlackApi
from tests.support.slack_fixtures import SlackHarness, build_harness
from tests.support.slack_requests import (
    app_mention_event,
    event_payload,
    message_event,
    new_ts,
    signed_request,
)


def _text(args: dict) -> str:
    return str(args.get("text") or "")


# --------------------------------------------------------------------------- DMs
def test_dm_question_gets_an_answer_in_the_dm_with_valid_blocks(
    slack_harness: SlackHarness,
) -> None:
    seed_book(slack_harness.services)
    response = slack_harness.dm("How is Acme Corp doing?", user=DANA)

    assert response.status == 200
    [reply] = slack_harness.fake.calls("chat.postMessage")
    assert reply["channel"] == "D" + DANA
    assert "thread_ts" not in reply  # a top-level DM is answered top-level
    assert_valid_message(reply)
    assert reply["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Acme Corp", "emoji": True},
    }
    assert "$120,000" in _text(reply)
    assert {ActionId.FEEDBACK_UP, ActionId.FEEDBACK_DOWN} <= action_ids(reply)
    assert ActionId.SHARE_IN_CHANNEL not in action_ids(reply)  # nothing to share in a DM
    statuses = slack_harness.fake.calls("assistant.threads.setStatus")
    assert statuses[0]["status"] == "is working…"


def test_dm_follow_up_keeps_the_account_of_the_conversation(
    sqlite_slack_harness: SlackHarness,
) -> None:
    seed_book(sqlite_slack_harness.services)
    sqlite_slack_harness.dm("How is Umbrella North doing?", user=DANA)
    sqlite_slack_harness.dm("and what is its health?", user=DANA)
    replies = sqlite_slack_harness.fake.calls("chat.postMessage")
    assert _text(replies[1]).startswith("Health: Umbrella North")


def test_dm_in_a_thread_is_answered_in_that_thread(sqlite_slack_harness: SlackHarness) -> None:
    seed_book(sqlite_slack_harness.services)
    parent = new_ts()
    sqlite_slack_harness.dm("my accounts", user=DANA, thread_ts=parent)
    [reply] = sqlite_slack_harness.fake.calls("chat.postMessage")
    assert reply["thread_ts"] == parent
    assert ActionId.SHOW_MORE in action_ids(reply)  # 14 accounts, 10 per page


def test_unknown_slack_user_is_politely_refused(slack_harness: SlackHarness) -> None:
    seed_book(slack_harness.services)
    slack_harness.dm("How is Acme Corp doing?", user=STRANGER)
    [reply] = slack_harness.fake.calls("chat.postMessage")
    assert "don't know you" in _text(reply)
    assert "Acme" not in _text(reply)
    assert action_ids(reply) == set()  # no feedback or share on a refusal
    assert_valid_message(reply)


# --------------------------------------------------------------------------- channels
def test_mention_is_answered_privately_in_its_thread_with_a_share_button(
    slack_harness: SlackHarness,
) -> None:
    seed_book(slack_harness.services)
    mention_ts = new_ts()
    slack_harness.mention("how is Acme Corp doing?", user=DANA, channel="C111", ts=mention_ts)

    assert slack_harness.fake.calls("chat.postMessage") == []
    [reply] = slack_harness.fake.calls("chat.postEphemeral")
    assert (reply["channel"], reply["user"], reply["thread_ts"]) == ("C111", DANA, mention_ts)
    assert_valid_message(reply)
    assert ActionId.SHARE_IN_CHANNEL in action_ids(reply)
    with slack_harness.services.session_factory() as session:
        thread = session.get(SlackThread, ("C111", mention_ts))
    assert thread is not None and thread.slack_user_id == DANA
    assert thread.account_id == "acc-acme-corp"


def test_mention_answers_publicly_in_the_thread_when_ephemeral_is_off(
    fake_slack: FakeSlackApi, tmp_path: Path, sqlite_engine: Engine
) -> None:
    harness = build_harness(
        fake_slack, tmp_path, sqlite_engine, CSBOT_EPHEMERAL_IN_CHANNELS="false"
    )
    seed_book(harness.services)
    parent = new_ts()
    harness.mention("renewals in the next 60 days", user=DANA, thread_ts=parent)
    [reply] = fake_slack.calls("chat.postMessage")
    assert reply["thread_ts"] == parent and reply["channel"] == "C111"
    assert ActionId.SHARE_IN_CHANNEL not in action_ids(reply)


def test_thread_follow_up_needs_no_mention_but_only_from_the_asker(
    sqlite_slack_harness: SlackHarness,
) -> None:
    harness = sqlite_slack_harness
    seed_book(harness.services)
    mention_ts = new_ts()
    harness.mention("how is Acme Corp doing?", user=DANA, ts=mention_ts)

    def thread_message(text: str, user: str) -> None:
        harness.dispatch(
            event_payload(
                message_event(
                    text, user=user, channel="C111", channel_type="channel", thread_ts=mention_ts
                )
            )
        )

    thread_message("and its renewal date?", DANA)
    thread_message("lunch anyone?", MAX)  # someone else chatting in the thread
    replies = harness.fake.calls("chat.postEphemeral")
    assert len(replies) == 2
    assert replies[1]["thread_ts"] == mention_ts
    assert "Acme Corp" in _text(replies[1]) and "renew" in _text(replies[1]).lower()


def test_messages_in_threads_the_bot_is_not_in_are_ignored(
    sqlite_slack_harness: SlackHarness,
) -> None:
    seed_book(sqlite_slack_harness.services)
    sqlite_slack_harness.dispatch(
        event_payload(
            message_event(
                "how is Acme Corp doing?",
                user=DANA,
                channel="C111",
                channel_type="channel",
                thread_ts=new_ts(),
            )
        )
    )
    sqlite_slack_harness.dispatch(
        event_payload(
            message_event(
                "how is Acme Corp doing?", user=DANA, channel="C111", channel_type="channel"
            )
        )
    )
    assert sqlite_slack_harness.fake.requests() == [
        call for call in sqlite_slack_harness.fake.requests() if call.method == "auth.test"
    ]


def test_mentions_outside_allowed_channels_get_a_private_pointer_to_dms(
    fake_slack: FakeSlackApi, tmp_path: Path, sqlite_engine: Engine
) -> None:
    harness = build_harness(fake_slack, tmp_path, sqlite_engine, CSBOT_ALLOWED_CHANNELS="CALLOWED")
    seed_book(harness.services)
    harness.mention("how is Acme Corp doing?", user=DANA, channel="CRANDOM")
    [notice] = fake_slack.calls("chat.postEphemeral")
    assert "direct message" in _text(notice) and "Acme" not in _text(notice)
    harness.mention("how is Acme Corp doing?", user=DANA, channel="CALLOWED")
    assert "Acme Corp" in _text(fake_slack.calls("chat.postEphemeral")[1])


# --------------------------------------------------------------------------- delivery rules
def _claims(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(SlackEventClaim)) or 0)


def test_a_retried_event_is_answered_once(slack_harness: SlackHarness) -> None:
    seed_book(slack_harness.services)
    payload = event_payload(message_event("my accounts", user=DANA, channel="D" + DANA))
    first = slack_harness.dispatch(payload)
    retry = slack_harness.dispatch(payload, retry_num=1, retry_reason="http_timeout")
    assert (first.status, retry.status) == (200, 200)
    assert len(slack_harness.fake.calls("chat.postMessage")) == 1


def test_mention_delivered_as_app_mention_and_message_is_answered_once(
    slack_harness: SlackHarness,
) -> None:
    seed_book(slack_harness.services)
    parent, ts = new_ts(), new_ts()
    text = f"<@{slack_harness.bot_user_id}> how is Acme Corp doing?"
    slack_harness.dispatch(
        event_payload(
            message_event(
                text, user=DANA, channel="C111", channel_type="channel", ts=ts, thread_ts=parent
            )
        )
    )
    slack_harness.dispatch(
        event_payload(app_mention_event(text, user=DANA, channel="C111", ts=ts, thread_ts=parent))
    )
    [reply] = slack_harness.fake.calls("chat.postEphemeral")
    assert reply["thread_ts"] == parent


def test_two_app_instances_on_one_database_answer_once(
    fake_slack: FakeSlackApi, tmp_path: Path, engine: Engine
) -> None:
    replica_a = build_harness(fake_slack, tmp_path / "a", engine)
    second_engine = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        replica_b = build_harness(fake_slack, tmp_path / "b", second_engine)
        seed_book(replica_a.services)
        payload = event_payload(
            message_event("How is Acme Corp doing?", user=DANA, channel="D" + DANA)
        )
        start = threading.Barrier(2)
        statuses: list[int] = []

        def deliver(harness: SlackHarness, retry_num: int | None) -> None:
            request = signed_request(payload, retry_num=retry_num)
            start.wait()
            statuses.append(harness.app.dispatch(request).status)

        threads = [
            threading.Thread(target=deliver, args=(replica_a, None)),
            threading.Thread(target=deliver, args=(replica_b, 1)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert statuses == [200, 200]
        assert len(fake_slack.calls("chat.postMessage")) == 1
        assert _claims(replica_a.services.claims_engine) == 2  # the event id and (channel, ts)
    finally:
        second_engine.dispose()


def test_noise_is_dropped_before_claiming_anything(slack_harness: SlackHarness) -> None:
    seed_book(slack_harness.services)
    for event in (
        message_event("edited", user=DANA, subtype="message_changed"),
        message_event("a bot", user=DANA, bot_id="B999"),
        message_event("top-level chatter", user=DANA, channel="C111", channel_type="channel"),
    ):
        assert slack_harness.dispatch(event_payload(event)).status == 200
    assert slack_harness.fake.calls("chat.postMessage") == []
    assert _claims(slack_harness.services.claims_engine) == 0


def test_a_rate_limited_reply_is_sent_after_retry_after(
    sqlite_slack_harness: SlackHarness,
) -> None:
    seed_book(sqlite_slack_harness.services)
    sqlite_slack_harness.fake.fail_next("chat.postMessage", status=429, retry_after=1)
    sqlite_slack_harness.dm("How is Acme Corp doing?", user=DANA)
    attempts = sqlite_slack_harness.fake.requests("chat.postMessage")
    assert [a.status for a in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.0
    assert len(sqlite_slack_harness.fake.messages("D" + DANA)) == 1


def test_a_failing_handler_apologises_with_an_incident_id_and_logs_the_traceback(
    slack_harness: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    seed_book(slack_harness.services)
    slack_harness.fake.fail_next("chat.postMessage", status=500, times=3)  # every retry too
    with caplog.at_level(logging.ERROR, logger="bot.error_handler"):
        response = slack_harness.dm("How is Acme Corp doing?", user=DANA)

    assert response.status == 200  # handled: Slack must not retry into a second reply
    [apology] = slack_harness.fake.calls("chat.postMessage")
    [record] = [r for r in caplog.records if r.name == "bot.error_handler"]
    incident_id = record.incident_id  # type: ignore[attr-defined]
    assert apology["channel"] == "D" + DANA
    assert "Sorry" in _text(apology) and incident_id in _text(apology)
    assert "SlackApiError" not in _text(apology) and "500" not in _text(apology)
    assert record.exc_info is not None and record.exc_info[0].__name__ == "SlackApiError"
    assert_valid_message(apology)
