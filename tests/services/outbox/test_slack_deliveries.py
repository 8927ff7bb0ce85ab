"""Delivery claims in the store: first claimant wins, all keys or none, old claims purged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.db.models import SlackEventClaim
from bot.services import Services
from bot.services.outbox.inbound_claims import (
    CLAIM_RETENTION,
    claim_delivery,
    delivery_keys,
    purge_old_claims,
)

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _keys(services: Services) -> list[str]:
    with services.claims_session_factory() as session:
        return sorted(session.scalars(select(SlackEventClaim.event_key)))


def test_delivery_keys_cover_event_id_and_message_position() -> None:
    body = {
        "type": "event_callback",
        "event_id": "Ev1",
        "event": {"type": "app_mention", "channel": "C1", "ts": "1.2"},
    }
    assert delivery_keys(body) == ["event:Ev1", "message:C1:1.2"]
    home = {"type": "event_callback", "event_id": "Ev2", "event": {"type": "app_home_opened"}}
    assert delivery_keys(home) == ["event:Ev2"]
    assert delivery_keys({"command": "/cs", "text": "hi"}) == []  # never retried by Slack


def test_first_claim_wins_and_a_partial_conflict_records_nothing(services: Services) -> None:
    assert claim_delivery(services, ["event:A", "message:C:1"], claimed_by="r1", now=NOW)
    assert not claim_delivery(services, ["event:A"], claimed_by="r2", now=NOW)
    # a different event for the same message (app_mention vs message.channels)
    assert not claim_delivery(services, ["event:B", "message:C:1"], claimed_by="r2", now=NOW)
    assert _keys(services) == ["event:A", "message:C:1"]
    assert claim_delivery(services, ["event:B"], claimed_by="r2", now=NOW)


def test_claims_past_retention_are_purged(services: Services) -> None:
    claim_delivery(
        services, ["event:old"], claimed_by="r", now=NOW - CLAIM_RETENTION - timedelta(minutes=1)
    )
    claim_delivery(services, ["event:recent"], claimed_by="r", now=NOW - timedelta(hours=1))
    assert purge_old_claims(services, now=NOW) == 1
    assert _keys(services) == ["event:recent"]
