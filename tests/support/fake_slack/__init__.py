"""FakeSlackApi: a local Slack Web API the real ``slack_sdk`` client talks to over HTTP.

Slack is faked only at the HTTP boundary: the app under test builds its ordinary
``WebClient`` with ``base_url=fake.base_url`` and everything between (serialisation,
retry handlers, ``Retry-After``, timeouts, response_url webhooks, file uploads) is
the real code. The fake

* serves ``/api/<method>`` (JSON, form and query arguments) on ``127.0.0.1:0``
  (``server``), one module per method family (``chat``, ``conversations``, ``views``,
  ``users``, ``files``, ``assistant``, ``auth``), only the methods csbot or a test calls;
* records every call with its parsed arguments and keeps channels, messages (with
  ``ts``), threads, ephemeral messages, views and uploaded files (``state``), so tests
  assert on what a person would see;
* answers Slack's error codes (``invalid_auth``, ``channel_not_found``,
  ``not_in_channel``, ``invalid_blocks`` from the same checks as ``blockcheck``,
  ``message_not_found``, ``expired_trigger_id``, ``push_limit_reached``…);
* injects faults (``faults``: ``fail_next`` with 429 + ``Retry-After``, 500, ``ok: false``
  errors, delays, connection resets, and "ghost" failures that do the work and then
  answer an error, as Slack sometimes does) and can rate limit ``chat.postMessage``
  per channel;
* serves ``response_url`` webhooks under ``/hooks/…`` (``hooks``: 5 uses, 30 minutes);
* optionally speaks Socket Mode (``apps.connections.open`` → ``ws://…/link``).

Usage::

    with FakeSlackApi() as fake:
        client = WebClient(token=fake.bot_token, base_url=fake.base_url)
        client.chat_postMessage(channel="C1", text="hi")
        assert fake.calls("chat.postMessage")[0]["text"] == "hi"
"""

from tests.support.fake_slack.faults import Fault, SlackErrorResponse
from tests.support.fake_slack.server import FakeSlackApi
from tests.support.fake_slack.state import FakeChannel, FakeEphemeral, FakeMessage, RecordedCall

__all__ = [
    "FakeChannel",
    "FakeEphemeral",
    "FakeMessage",
    "FakeSlackApi",
    "Fault",
    "RecordedCall",
    "SlackErrorResponse",
]
