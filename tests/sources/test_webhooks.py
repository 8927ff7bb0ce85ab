"""Webhooks through the real HTTP server: signed → one row after the inbox job, replay → nothing.

Every request goes to uvicorn serving ``build_asgi_app`` (the app ``csbot serve --http``
runs), signed the way each source signs, with bodies built at test time from the shapes
in ``shared/datasets`` (Stripe's fixtures3.json, Zendesk's recorded ticket, Intercom's
OpenAPI conversation). The clock is frozen at ``NOW``; nothing here depends on today.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select

from bot.db.models import Contract, Cta, Invoice, TextSentiment, Ticket, WebhookEvent
from bot.db.session import unit_of_work
from bot.main import build_asgi_app, build_slack_app
from bot.services import Services
from jobs.registry import JOBS
from jobs.runner import run_job
from tests.conftest import DATASETS_DIR
from tests.jobs import store
from tests.support import factories
from tests.support.asgi_server import served
from tests.support.fake_slack import FakeSlackApi
from tests.support.slack_fixtures import slack_services_for

NOW = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)
ACCOUNT = "360000123"  # the Zendesk organization id is the account id (the local mapping)
CONTACT = "70"  # the Intercom fixture conversation's contact external_id
MAX_BODY = 16 * 1024
SECRETS = {"stripe": "whsec_test_secret", "zendesk": "zd-webhook-secret", "intercom": "ic-secret"}
ENV = {
    "CSBOT_STRIPE_WEBHOOK_SECRET": SECRETS["stripe"],
    "CSBOT_ZENDESK_WEBHOOK_SECRET": SECRETS["zendesk"],
    "CSBOT_INTERCOM_CLIENT_SECRET": SECRETS["intercom"],
    "CSBOT_WEBHOOK_MAX_BODY_BYTES": MAX_BODY,
    "CSBOT_EMBEDDER": "hashing",
}


# --------------------------------------------------------------------------- bodies
@cache
def _fixture(relative: str) -> Any:
    return json.loads((DATASETS_DIR / relative).read_text(encoding="utf-8"))


def _stripe_resource(name: str) -> dict[str, Any]:
    return copy.deepcopy(_fixture("stripe-fixtures/fixtures3.json")["resources"][name])


def stripe_event(kind: str, obj: dict[str, Any], *, event_id: str) -> bytes:
    event = _stripe_resource("event")
    event.update(id=event_id, type=kind, created=int(NOW.timestamp()), data={"object": obj})
    return json.dumps(event).encode()


def stripe_invoice_paid(event_id: str = "evt_invoice_paid_1", **changes: Any) -> bytes:
    invoice = _stripe_resource("invoice")
    invoice.update(
        {
            "id": "in_webhook_1",
            "status": "paid",
            "amount_due": 125_000,
            "created": int((NOW - timedelta(days=3)).timestamp()),
            "due_date": int((NOW + timedelta(days=27)).timestamp()),
            "metadata": {"account_id": ACCOUNT},
            **changes,
        }
    )
    invoice["status_transitions"]["paid_at"] = int(NOW.timestamp())
    return stripe_event("invoice.paid", invoice, event_id=event_id)


def zendesk_ticket_event(
    event_id: str = "5c1d7f7c-0000-4000-8000-000000000001",
    *,
    ticket_id: int = 9101,
    subject: str | None = None,
    description: str | None = None,
    priority: str = "NORMAL",
    organization_id: str = ACCOUNT,
) -> bytes:
    """Zendesk's event-webhook envelope around the recorded ticket's fields."""
    ticket = _fixture("api-fixtures/zendesk/tickets_list_cursor_page_size_1.json")["tickets"][0]
    created = (NOW - timedelta(minutes=10)).isoformat().replace("+00:00", "Z")
    detail = {
        "id": str(ticket_id),
        "subject": subject or ticket["subject"],
        "description": description or ticket["description"],
        "priority": priority,
        "status": str(ticket["status"]).upper(),
        "created_at": created,
        "updated_at": created,
        "organization_id": organization_id,
        "requester_id": str(ticket["requester_id"]),
        "type": "QUESTION",
        "tags": ticket.get("tags", []),
        "via": {"channel": "web_form"},
    }
    return json.dumps(
        {
            "account_id": 11_223_344,
            "detail": detail,
            "event": {},
            "id": event_id,
            "subject": f"zen:ticket:{ticket_id}",
            "time": created,
            "type": "zen:event-type:ticket.created",
            "zendesk_event_version": "2022-11-06",
        }
    ).encode()


def intercom_conversation_event(
    event_id: str = "notif_0001", *, created_at: datetime = NOW
) -> bytes:
    conversation = copy.deepcopy(_fixture("api-fixtures/intercom/conversation_get.json"))
    conversation["created_at"] = int((NOW - timedelta(minutes=5)).timestamp())
    conversation["state"] = "open"
    conversation["source"]["subject"] = "Export keeps failing"
    return json.dumps(
        {
            "type": "notification_event",
            "app_id": "abc123",
            "data": {"type": "notification_event_data", "item": conversation},
            "id": event_id,
            "topic": "conversation.user.created",
            "delivery_status": "pending",
            "delivery_attempts": 1,
            "created_at": int(created_at.timestamp()),
        }
    ).encode()


# --------------------------------------------------------------------------- signing
def _hex(secret: str, message: bytes, digest: Any) -> str:
    return hmac.new(secret.encode(), message, digest).hexdigest()


def stripe_headers(body: bytes, secret: str, at: datetime) -> dict[str, str]:
    stamp = int(at.timestamp())
    signature = _hex(secret, f"{stamp}.".encode() + body, hashlib.sha256)
    return {"Stripe-Signature": f"t={stamp},v1={signature}"}


def zendesk_headers(body: bytes, secret: str, at: datetime) -> dict[str, str]:
    stamp = at.isoformat().replace("+00:00", "Z")
    digest = hmac.new(secret.encode(), stamp.encode() + body, hashlib.sha256).digest()
    return {
        "X-Zendesk-Webhook-Signature": base64.b64encode(digest).decode(),
        "X-Zendesk-Webhook-Signature-Timestamp": stamp,
    }


def intercom_headers(body: bytes, secret: str, at: datetime) -> dict[str, str]:
    return {"X-Hub-Signature": "sha1=" + _hex(secret, body, hashlib.sha1)}


@dataclass(frozen=True)
class Source:
    name: str
    body: Callable[..., bytes]
    sign: Callable[[bytes, str, datetime], dict[str, str]]
    model: Any
    key: str

    def stale_body_and_headers(self) -> tuple[bytes, dict[str, str]]:
        old = NOW - timedelta(minutes=10)
        if self.name == "intercom":  # Intercom signs no timestamp: the body's created_at
            body = intercom_conversation_event("notif_stale", created_at=old)
            return body, self.sign(body, SECRETS[self.name], NOW)
        body = self.body()
        return body, self.sign(body, SECRETS[self.name], old)


SOURCES = {
    "stripe": Source("stripe", stripe_invoice_paid, stripe_headers, Invoice, "in_webhook_1"),
    "zendesk": Source("zendesk", zendesk_ticket_event, zendesk_headers, Ticket, "9101"),
    "intercom": Source("intercom", intercom_conversation_event, intercom_headers, Ticket, "367"),
}


# --------------------------------------------------------------------------- world
@pytest.fixture
def frozen(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def _services(engine: Engine, tmp_path: Path, fake: FakeSlackApi, **env: object) -> Services:
    return slack_services_for(fake, tmp_path, engine, **{**ENV, **env})


def _seed(services: Services) -> None:
    with unit_of_work(services.session_factory) as session:
        store.add_team(session)
        store.add_account(session, ACCOUNT, name="Acme Corp")
        factories.add_contact(session, CONTACT, ACCOUNT, email="pat@acme.example")


@pytest.fixture
def world(
    engine: Engine, tmp_path: Path, fake_slack: FakeSlackApi, frozen: None
) -> Iterator[tuple[Services, str]]:
    """Seeded services on SQLite and PostgreSQL, and the base URL of uvicorn serving them."""
    services = _services(engine, tmp_path, fake_slack)
    _seed(services)
    asgi = build_asgi_app(build_slack_app(services.settings, services), services.settings, services)
    with served(asgi) as base:
        yield services, base


def post(base: str, source: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    headers = {"content-type": "application/json", **headers}
    return httpx.post(f"{base}/webhooks/{source}", content=body, headers=headers, timeout=10)


def run(services: Services, name: str) -> dict[str, Any]:
    result = run_job(name, JOBS[name].function, services, now=NOW, deliver=False)
    assert result.ok, result.error
    return result.summary


def count(services: Services, model: Any) -> int:
    with unit_of_work(services.session_factory) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


# --------------------------------------------------------------------------- tests
@pytest.mark.parametrize("name", SOURCES)
def test_signed_event_becomes_one_row_and_a_replay_adds_nothing(
    world: tuple[Services, str], name: str
) -> None:
    services, base = world
    source = SOURCES[name]
    body = source.body()

    response = post(base, name, body, source.sign(body, SECRETS[name], NOW))
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True, "queued": True}
    assert count(services, source.model) == 0  # the request only queues

    assert run(services, "webhook_inbox") == {
        "done": 1,
        "skipped": 0,
        "failed": 0,
        "rows": {source.model.__tablename__: 1},
    }
    with unit_of_work(services.session_factory) as session:
        rows = session.scalars(select(source.model)).all()
        assert [getattr(row, source.model.__mapper__.primary_key[0].name) for row in rows] == [
            source.key
        ]
        assert rows[0].account_id == ACCOUNT
        event = session.get(WebhookEvent, (name, json.loads(body)["id"]))
        assert event is not None and event.status == "done"

    # the same delivery again (a retry, or a replay re-signed): 200, and nothing new
    replay = post(base, name, body, source.sign(body, SECRETS[name], NOW))
    assert replay.status_code == 200 and replay.json() == {"ok": True, "queued": False}
    assert run(services, "webhook_inbox")["done"] == 0
    assert count(services, source.model) == 1
    assert count(services, WebhookEvent) == 1


@pytest.mark.parametrize("name", SOURCES)
def test_forged_stale_and_oversized_deliveries_are_refused_before_anything_is_queued(
    world: tuple[Services, str], name: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    services, base = world
    source = SOURCES[name]
    body = source.body()

    forged = post(base, name, body, source.sign(body, "not-the-secret", NOW))
    assert (forged.status_code, forged.json()) == (401, {"error": "signature_mismatch"})
    altered = body.replace(b'"id"', b'"id" ', 1)
    tampered = post(base, name, altered, source.sign(body, SECRETS[name], NOW))
    assert tampered.status_code == 401
    unsigned = post(base, name, body, {})
    assert unsigned.status_code == 401
    assert unsigned.json()["error"] in ("signature_missing", "timestamp_missing")
    stale_body, stale_headers = source.stale_body_and_headers()
    stale = post(base, name, stale_body, stale_headers)
    assert (stale.status_code, stale.json()) == (401, {"error": "timestamp_stale"})
    big = body[:-1] + b', "padding": "' + b"x" * MAX_BODY + b'"}'
    oversized = post(base, name, big, source.sign(big, SECRETS[name], NOW))
    assert (oversized.status_code, oversized.json()) == (413, {"error": "body_too_large"})

    assert count(services, WebhookEvent) == 0
    assert run(services, "webhook_inbox")["done"] == 0
    assert count(services, source.model) == 0
    refused = [r for r in caplog.records if r.getMessage() == "refused webhook request"]
    assert len(refused) == 5 and {r.http_status for r in refused} == {401, 413}  # type: ignore[attr-defined]
    logged = " ".join(str(vars(r)) for r in caplog.records)
    assert "padding" not in logged and "xxxxxxxx" not in logged  # never a body
    assert SECRETS[name] not in logged


def test_an_endpoint_whose_secret_is_unset_answers_404(
    sqlite_engine: Engine, tmp_path: Path, fake_slack: FakeSlackApi, frozen: None
) -> None:
    services = slack_services_for(fake_slack, tmp_path, sqlite_engine)  # no webhook secrets
    asgi = build_asgi_app(build_slack_app(services.settings, services), services.settings, services)
    with served(asgi) as base:
        for name, source in SOURCES.items():
            body = source.body()
            response = post(base, name, body, source.sign(body, SECRETS[name], NOW))
            assert (response.status_code, response.json()) == (404, {"error": "not_configured"})
    assert count(services, WebhookEvent) == 0


def test_subscription_event_becomes_a_contract_and_bad_or_unknown_events_do_not_block(
    world: tuple[Services, str],
) -> None:
    services, base = world
    subscription = _stripe_resource("subscription")
    subscription.update(
        id="sub_webhook_1",
        start_date=int(datetime(2026, 1, 1, tzinfo=UTC).timestamp()),
        current_period_end=int(datetime(2027, 1, 1, tzinfo=UTC).timestamp()),
        metadata={"account_id": ACCOUNT},
    )
    item = subscription["items"]["data"][0]
    item["quantity"] = 10  # 10 seats x $20.00 a month = $2,400 ARR
    odd = copy.deepcopy(subscription)
    odd["id"] = "sub_odd"
    odd["items"]["data"][0]["price"] = "price_1PgafmB7WZ01zgkW6dKueIc5"
    deliveries = [
        stripe_event("customer.subscription.updated", subscription, event_id="evt_sub_1"),
        # refused by the importer (a negative amount): failed with the located error
        stripe_invoice_paid("evt_bad_1", id="in_bad", amount_due=-500),
        # no account in the store for this customer: skipped
        stripe_invoice_paid("evt_nobody_1", id="in_nobody", metadata={"account_id": "nobody"}),
        stripe_event("charge.succeeded", _stripe_resource("charge"), event_id="evt_charge_1"),
        # a shape the mapping does not expect (price as a bare id): failed, not stuck
        stripe_event("customer.subscription.created", odd, event_id="evt_odd_1"),
        stripe_invoice_paid(),
    ]
    for body in deliveries:
        assert post(base, "stripe", body, stripe_headers(body, SECRETS["stripe"], NOW)).json()[
            "queued"
        ]

    assert run(services, "webhook_inbox") == {
        "done": 2,
        "skipped": 2,
        "failed": 2,
        "rows": {"contracts": 1, "invoices": 1},
    }
    with unit_of_work(services.session_factory) as session:
        contract = session.get(Contract, "sub_webhook_1")
        assert contract is not None
        assert (contract.account_id, float(contract.arr), contract.end_date.isoformat()) == (
            ACCOUNT,
            2400.0,
            "2027-01-01",
        )
        assert contract.auto_renew is False  # the fixture cancels at period end
        assert session.get(Invoice, "in_bad") is None
        assert [i.invoice_id for i in session.scalars(select(Invoice))] == ["in_webhook_1"]
        notes = {e.event_id: (e.status, e.note) for e in session.scalars(select(WebhookEvent))}
    status, note = notes["evt_bad_1"]
    assert status == "failed" and note.startswith("stripe invoice in_bad: amount")
    assert notes["evt_nobody_1"][0] == "skipped" and "no account" in notes["evt_nobody_1"][1]
    assert notes["evt_charge_1"] == ("skipped", "stripe charge.succeeded: not mapped")
    assert notes["evt_odd_1"] == (
        "failed",
        "stripe customer.subscription.created: payload not understood (AttributeError)",
    )
    assert count(services, Contract) == 1


def test_an_urgent_negative_ticket_on_a_red_account_raises_its_cta_within_minutes(
    world: tuple[Services, str],
) -> None:
    """Webhook → inbox job → knowledge refresh (sentiment, churn intent) → CTA rules."""
    services, base = world
    with unit_of_work(services.session_factory) as session:
        store.add_health(session, ACCOUNT, 1, 31, "red")
        store.add_health(session, ACCOUNT, 0, 28, "red")
    body = zendesk_ticket_event(
        ticket_id=9200,
        priority="URGENT",
        subject="We are cancelling",
        description=(
            "This is unacceptable. The export has been broken for a week, we lost data, "
            "and we will not be renewing. How do we cancel our subscription?"
        ),
    )
    response = post(base, "zendesk", body, zendesk_headers(body, SECRETS["zendesk"], NOW))
    assert response.status_code == 200

    assert run(services, "webhook_inbox")["rows"] == {"tickets": 1}
    refreshed = run(services, "knowledge_refresh")
    assert refreshed["tickets_indexed"] == 1
    with unit_of_work(services.session_factory) as session:
        sentiment = session.scalars(select(TextSentiment)).all()
        assert [(s.source_id, s.label) for s in sentiment] == [("9200", "negative")]

    raised = run(services, "cta_rules")
    assert raised["by_rule"].get("cancellation_save") == 1
    with unit_of_work(services.session_factory) as session:
        ctas = {c.rule: c for c in session.scalars(select(Cta).where(Cta.account_id == ACCOUNT))}
    assert ctas["cancellation_save"].priority == "urgent"
    assert "9200" in ctas["cancellation_save"].reason
    assert "9200" in ctas["support_escalation"].reason


def test_the_inbox_job_runs_every_minute_once_a_webhook_secret_is_set(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    from bot.db.session import make_session_factory
    from jobs.scheduler import build_scheduler
    from tests.conftest import make_settings

    def scheduled(**env: object) -> dict[str, Any]:
        url = sqlite_engine.url.render_as_string(hide_password=False)
        services = Services(
            settings=make_settings(tmp_path, url, **env),
            engine=sqlite_engine,
            session_factory=make_session_factory(sqlite_engine),
        )
        scheduler = build_scheduler(services, context_key="webhook-test")
        scheduler.start(paused=True)
        try:
            return {job.id: job for job in scheduler.get_jobs()}
        finally:
            scheduler.shutdown(wait=False)

    assert "webhook_inbox" not in scheduled()
    trigger = scheduled(CSBOT_ZENDESK_WEBHOOK_SECRET="s")["webhook_inbox"].trigger
    start = datetime(2026, 11, 20, 10, 0, 30, tzinfo=UTC)
    assert trigger.get_next_fire_time(None, start) == datetime(2026, 11, 20, 10, 1, tzinfo=UTC)
