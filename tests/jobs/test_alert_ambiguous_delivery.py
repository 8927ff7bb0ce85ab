"""Ambiguous Slack failures never re-post blind: the channel is read back first.

A "ghost 500" (Slack posts, then answers 500) and a deliverer killed mid-send both
leave the outbox not knowing whether the message is in Slack. Every alert post
carries message metadata with its dedupe key; delivery checks the conversation for
it before posting again.
"""

from __future__ import annotations

from datetime import timedelta

from slack_sdk import WebClient
from sqlalchemy import select

from bot.db import alert_repository as alerts_db
from bot.db.models import Alert
from bot.db.session import unit_of_work
from bot.services.outbox.queue import queue_message
from bot.services.outbox.sender import alert_metadata
from jobs.outbox import run_deliver_alerts
from jobs.runner import run_job
from tests.jobs.store import NOW


def _queue(services, keys, channel="C_ALERTS"):
    with unit_of_work(services.session_factory) as session:
        for key in keys:
            queue_message(
                session,
                dedupe_key=key,
                kind="digest",
                channel=channel,
                text=f"alert {key}",
                blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": f"alert {key}"}}],
                now=NOW,
                settings=services.settings,
            )


def _alerts(services):
    with unit_of_work(services.session_factory) as session:
        return {a.dedupe_key: a for a in session.scalars(select(Alert).order_by(Alert.id))}


def _deliver(services, at):
    result = run_job("deliver_alerts", run_deliver_alerts, services, now=at)
    assert result.ok, result.error
    return result


def test_a_ghost_500_is_found_in_the_channel_and_not_posted_twice(slack_services, fake_slack):
    keys = [f"note:{n}" for n in range(4)]
    _queue(slack_services, keys)
    fake_slack.fail_next("chat.postMessage", status=500, times=4, ghost=True)
    result = _deliver(slack_services, NOW)
    assert result.delivery["sent"] == 4 and result.delivery["reconciled"] == 4
    messages = fake_slack.messages("C_ALERTS")
    assert sorted(m.text for m in messages) == sorted(f"alert {k}" for k in keys)
    assert [c.status for c in fake_slack.requests("chat.postMessage")] == [500] * 4
    rows = _alerts(slack_services)
    by_ts = {m.ts: m for m in messages}
    for key in keys:
        assert rows[key].status == "sent"
        assert by_ts[rows[key].slack_ts].metadata == alert_metadata(key)
    # later runs post nothing more
    _deliver(slack_services, NOW + timedelta(hours=1))
    assert len(fake_slack.messages("C_ALERTS")) == 4


def test_a_ghost_500_to_a_dm_is_found_in_the_dm(slack_services, fake_slack):
    _queue(slack_services, ["dm:1"], channel="U_ANA")
    fake_slack.fail_next("chat.postMessage", status=500, ghost=True)
    result = _deliver(slack_services, NOW)
    assert result.delivery["reconciled"] == 1
    assert len(fake_slack.messages("DU_ANA")) == 1
    row = _alerts(slack_services)["dm:1"]
    assert (row.status, row.slack_channel) == ("sent", "DU_ANA")


def test_a_500_that_did_not_post_is_retried_once_the_channel_shows_it_missing(
    slack_services, fake_slack
):
    _queue(slack_services, ["note:lost"])
    fake_slack.fail_next("chat.postMessage", status=500)  # a real failure: nothing posted
    first = _deliver(slack_services, NOW)
    assert first.delivery["failed"] == 1 and first.delivery["reconciled"] == 0
    assert fake_slack.messages("C_ALERTS") == []
    assert _alerts(slack_services)["note:lost"].status == "pending"
    _deliver(slack_services, NOW + timedelta(minutes=5))
    assert [m.text for m in fake_slack.messages("C_ALERTS")] == ["alert note:lost"]


def test_when_the_channel_cannot_be_read_the_alert_waits_for_a_check_not_a_repost(
    slack_services, fake_slack
):
    _queue(slack_services, ["note:unsure"])
    fake_slack.fail_next("chat.postMessage", status=500, ghost=True)
    fake_slack.fail_next("conversations.history", status=500)
    first = _deliver(slack_services, NOW)
    assert first.delivery["unconfirmed"] == 1 and first.delivery["sent"] == 0
    row = _alerts(slack_services)["note:unsure"]
    assert row.status == "sending" and "channel check failed" in row.last_error
    # before the check is due nothing happens; after it, the channel shows the post
    _deliver(slack_services, NOW + timedelta(seconds=10))
    assert _alerts(slack_services)["note:unsure"].status == "sending"
    later = _deliver(slack_services, NOW + timedelta(minutes=5))
    assert later.delivery["reconciled"] == 1
    assert len(fake_slack.messages("C_ALERTS")) == 1
    assert len(fake_slack.requests("chat.postMessage")) == 1
    assert _alerts(slack_services)["note:unsure"].status == "sent"


def _killed_mid_send(services, fake_slack, key, *, reached_slack):
    """What a deliverer killed with SIGKILL leaves: the row claimed ``sending`` and,
    if the post got out first, the message (with its metadata) in the channel."""
    with unit_of_work(services.session_factory) as session:
        alert_id = alerts_db.next_due_alert_id(session=session, now=NOW, keys=[key])
        assert alerts_db.claim_alert(
            session=session,
            alert_id=alert_id,
            now=NOW,
            claim_until=NOW + timedelta(seconds=300),
        )
    if reached_slack:
        client = WebClient(token=fake_slack.bot_token, base_url=fake_slack.base_url)
        client.chat_postMessage(
            channel="C_ALERTS", text=f"alert {key}", metadata=alert_metadata(key)
        )


def test_an_alert_killed_after_reaching_slack_is_recorded_sent(slack_services, fake_slack):
    _queue(slack_services, ["note:posted", "note:unposted"])
    _killed_mid_send(slack_services, fake_slack, "note:posted", reached_slack=True)
    _killed_mid_send(slack_services, fake_slack, "note:unposted", reached_slack=False)
    # a run while the claims are still live leaves them alone
    _deliver(slack_services, NOW + timedelta(seconds=30))
    assert {a.status for a in _alerts(slack_services).values()} == {"sending"}
    result = _deliver(slack_services, NOW + timedelta(minutes=10))
    assert result.delivery["interrupted"] == 2 and result.delivery["reconciled"] == 1
    rows = _alerts(slack_services)
    assert rows["note:posted"].status == "sent" and rows["note:posted"].slack_ts
    assert rows["note:unposted"].status == "sent"
    texts = sorted(m.text for m in fake_slack.messages("C_ALERTS"))
    assert texts == ["alert note:posted", "alert note:unposted"]  # each exactly once
