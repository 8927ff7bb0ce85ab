"""An ack never waits for an import: on SQLite, claims do not share the store's write lock.

``csbot import`` writes the whole folder in one transaction, so on SQLite it holds
the single write lock for as long as the import runs. Here a write transaction is
held open on the store exactly as the importer's is, while a signed Slack event
arrives at an app that acks before answering (production's mode).
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine, text

from bot.app import create_app
from tests.handlers.seed import DANA, seed_book
from tests.support.fake_slack import FakeSlackApi
from tests.support.slack_fixtures import slack_services_for
from tests.support.slack_requests import event_payload, message_event, signed_request

ACK_BUDGET_SECONDS = 1.0


def test_an_event_is_acked_at_once_while_an_import_holds_the_write_lock(
    fake_slack: FakeSlackApi, tmp_path: Path, sqlite_engine: Engine
) -> None:
    services = slack_services_for(fake_slack, tmp_path, sqlite_engine)
    seed_book(services)
    app = create_app(services.settings, services)  # ack first, answer in the background
    payload = event_payload(message_event("How is Acme Corp doing?", user=DANA, channel="DDANA"))
    with sqlite_engine.connect() as importer:
        importer.execute(text("BEGIN IMMEDIATE"))  # the import's transaction: the write lock
        importer.execute(text("UPDATE accounts SET segment = segment"))
        started = time.perf_counter()
        response = app.dispatch(signed_request(payload))
        acked_in = time.perf_counter() - started
        retry = app.dispatch(signed_request(payload, retry_num=1, retry_reason="http_timeout"))
        importer.execute(text("COMMIT"))
    assert response.status == 200 and acked_in < ACK_BUDGET_SECONDS, acked_in
    assert retry.status == 200
    fake_slack.wait_for("chat.postMessage", timeout=30)
    fake_slack.wait_quiet(0.5)
    [answer] = fake_slack.calls("chat.postMessage")  # answered once the lock was free, once
    assert "Acme Corp" in answer["text"]
