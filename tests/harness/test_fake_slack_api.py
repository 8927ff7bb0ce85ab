"""The fake Slack Web API behaves like Slack where our code depends on it."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from tests.support.fake_slack import FakeSlackApi


@pytest.fixture
def client(fake_slack: FakeSlackApi) -> WebClient:
    return WebClient(token=fake_slack.bot_token, base_url=fake_slack.base_url)


def _error(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(SlackApiError) as raised:
        call()
    return str(raised.value.response["error"])


def test_messages_threads_and_records(client: WebClient, fake_slack: FakeSlackApi) -> None:
    parent = client.chat_postMessage(channel="C1", text="parent")
    client.chat_postMessage(channel="C1", text="reply", thread_ts=parent["ts"])
    assert [m.text for m in fake_slack.thread("C1", parent["ts"])] == ["reply"]
    assert [c["text"] for c in fake_slack.calls("chat.postMessage")] == ["parent", "reply"]
    assert parent["ts"] < fake_slack.messages("C1")[1].ts


def test_form_and_query_arguments_are_parsed(client: WebClient, fake_slack: FakeSlackApi) -> None:
    client.api_call(
        "chat.postMessage", data={"channel": "C1", "text": "form", "blocks": '[{"type":"divider"}]'}
    )
    [args] = fake_slack.calls("chat.postMessage")
    assert args["blocks"] == [{"type": "divider"}]
    fake_slack.add_user("U1", "dana", email="dana@example.com")
    assert client.users_info(user="U1")["user"]["name"] == "dana"
    assert client.users_lookupByEmail(email="DANA@example.com")["user"]["id"] == "U1"


def test_slack_error_codes(client: WebClient, fake_slack: FakeSlackApi) -> None:
    fake_slack.add_channel("CPRIV", is_private=True, is_member=False)
    fake_slack.remove_channel("CGONE")
    assert _error(lambda: client.chat_postMessage(channel="CPRIV", text="x")) == "not_in_channel"
    assert _error(lambda: client.chat_postMessage(channel="CGONE", text="x")) == (
        "channel_not_found"
    )
    with pytest.warns(UserWarning, match="text"):
        assert _error(lambda: client.chat_postMessage(channel="C1")) == "no_text"
    assert _error(lambda: client.users_info(user="U404")) == "user_not_found"
    assert _error(lambda: client.chat_update(channel="C1", ts="1.2", text="x")) == (
        "message_not_found"
    )
    bad = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="x", blocks=bad)
    assert raised.value.response["error"] == "invalid_blocks"
    assert "3000" in raised.value.response["errors"][0]
    wrong = WebClient(token="xoxb-nope", base_url=fake_slack.base_url)
    assert _error(wrong.auth_test) == "invalid_auth"


def test_strict_channels_refuse_unknown_ids() -> None:
    with FakeSlackApi(strict_channels=True) as fake:
        client = WebClient(token=fake.bot_token, base_url=fake.base_url)
        assert _error(lambda: client.chat_postMessage(channel="C9", text="x")) == (
            "channel_not_found"
        )
        fake.add_channel("C9")
        assert client.chat_postMessage(channel="C9", text="x")["ok"]
        assert client.chat_postMessage(channel="U5", text="dm")["channel"] == "DU5"


def test_fault_injection_500_and_ok_false(client: WebClient, fake_slack: FakeSlackApi) -> None:
    fake_slack.fail_next("chat.postMessage", status=500)
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="x")
    fake_slack.fail_next("chat.postMessage", status=200, error="fatal_error")
    assert _error(lambda: client.chat_postMessage(channel="C1", text="x")) == "fatal_error"
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.status for c in fake_slack.requests("chat.postMessage")] == [500, 200, 200]
    assert len(fake_slack.calls("chat.postMessage")) == 1


def test_delay_slows_a_method(client: WebClient, fake_slack: FakeSlackApi) -> None:
    fake_slack.delay("auth.test", 0.3)
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.3


def test_per_channel_rate_limit_answers_429_with_retry_after(fake_slack: FakeSlackApi) -> None:
    fake_slack.limit_channel_rate(per_second=1.0, burst=1)
    bare = WebClient(token=fake_slack.bot_token, base_url=fake_slack.base_url, retry_handlers=[])
    assert bare.chat_postMessage(channel="C1", text="1")["ok"]
    assert bare.chat_postMessage(channel="C2", text="other channel")["ok"]
    with pytest.raises(SlackApiError) as raised:
        bare.chat_postMessage(channel="C1", text="2")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "1"


def test_response_url_is_recorded_validated_and_limited_to_five_uses(
    fake_slack: FakeSlackApi,
) -> None:
    url = fake_slack.response_url()
    hook = WebhookClient(url)
    for index in range(5):
        assert hook.send(text=f"reply {index}").status_code == 200
    assert hook.send(text="sixth").status_code == 404
    bad = WebhookClient(fake_slack.response_url()).send(text="x", blocks=[{"type": "nonsense"}])
    assert bad.status_code == 400 and bad.body == "invalid_blocks"
    assert [c["text"] for c in fake_slack.calls("response_url")][:5] == [
        f"reply {i}" for i in range(5)
    ]


def test_views_publish_open_push_and_trigger_expiry(
    client: WebClient, fake_slack: FakeSlackApi
) -> None:
    home = {"type": "home", "blocks": [{"type": "divider"}]}
    client.views_publish(user_id="U1", view=home)
    assert fake_slack.home_views["U1"]["blocks"] == [{"type": "divider"}]
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Escalate"},
        "blocks": [{"type": "divider"}],
    }
    trigger = fake_slack.issue_trigger_id()
    opened = client.views_open(trigger_id=trigger, view=modal)["view"]
    assert _error(lambda: client.views_open(trigger_id=trigger, view=modal)) == (
        "exchanged_trigger_id"
    )
    updated = client.views_update(view_id=opened["id"], view=modal, hash=opened["hash"])
    assert (
        _error(lambda: client.views_update(view_id=opened["id"], view=modal, hash=opened["hash"]))
        == "hash_conflict"
    )
    assert updated["view"]["id"] == opened["id"]
    for _ in range(2):
        client.views_push(trigger_id=fake_slack.issue_trigger_id(), view=modal)
    assert (
        _error(lambda: client.views_push(trigger_id=fake_slack.issue_trigger_id(), view=modal))
        == "push_limit_reached"
    )
    too_long = dict(modal, title={"type": "plain_text", "text": "x" * 30})
    assert (
        _error(lambda: client.views_open(trigger_id="any.fixture.id", view=too_long))
        == "invalid_arguments"
    )


def test_expired_trigger_id(
    client: WebClient, fake_slack: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    trigger = fake_slack.issue_trigger_id()
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 4)
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "x"},
        "blocks": [{"type": "divider"}],
    }
    assert _error(lambda: client.views_open(trigger_id=trigger, view=modal)) == (
        "expired_trigger_id"
    )


def test_files_upload_v2_round_trip(client: WebClient, fake_slack: FakeSlackApi) -> None:
    response = client.files_upload_v2(
        channel="C1",
        content=b"\x89PNG fake chart",
        filename="health.png",
        title="Health",
        initial_comment="Weekly digest",
    )
    assert response["ok"]
    [upload] = fake_slack.uploads.values()
    assert upload["data"] == b"\x89PNG fake chart"
    [message] = fake_slack.messages("C1")
    assert message.text == "Weekly digest" and message.files[0]["title"] == "Health"


def test_assistant_methods_and_ephemeral(client: WebClient, fake_slack: FakeSlackApi) -> None:
    client.assistant_threads_setStatus(channel_id="D1", thread_ts="1.1", status="is working…")
    prompts = [{"title": f"t{i}", "message": f"m{i}"} for i in range(5)]
    assert (
        _error(
            lambda: client.assistant_threads_setSuggestedPrompts(channel_id="D1", prompts=prompts)
        )
        == "invalid_arguments"
    )
    client.assistant_threads_setSuggestedPrompts(channel_id="D1", prompts=prompts[:4])
    client.chat_postEphemeral(channel="C1", user="U1", text="psst", thread_ts="1.1")
    assert fake_slack.statuses[0]["status"] == "is working…"
    assert fake_slack.ephemeral[0].user == "U1" and fake_slack.ephemeral[0].thread_ts == "1.1"
    assert client.conversations_open(users="U7")["channel"]["id"] == "DU7"


def test_wait_for_times_out_with_a_useful_message(fake_slack: FakeSlackApi) -> None:
    with pytest.raises(AssertionError, match="expected 1 chat.postMessage"):
        fake_slack.wait_for("chat.postMessage", timeout=0.1)
