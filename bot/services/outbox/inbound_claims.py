"""Claim Slack deliveries on receipt so retries and replicas answer exactly once.

Slack retries an event it thinks failed (up to three times, the first retry often
while our first attempt is still running), and with several replicas each delivery
may land on a different one. A delivery is answered by whoever first inserts its
keys: the event id, and for messages also ``(channel, ts)``, because a mention in
a channel arrives twice (``app_mention`` and ``message.*``) with different ids.
Claims go through ``services.claims_session_factory``: on SQLite their own file, so
a long import holding the store's write lock never delays the ack.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.db.base import utcnow
from bot.db.session import unit_of_work
from bot.db.slack_state import claim_event_key, purge_event_claims
from bot.services import Services

logger = logging.getLogger(__name__)

CLAIM_RETENTION = timedelta(days=2)
"""Slack gives up retrying after about an hour; two days leaves room for replays."""


class _AlreadyClaimed(Exception):
    """Raised inside the unit of work so a partial claim rolls back."""


def replica_name() -> str:
    """Who claimed a delivery, for the ``claimed_by`` column (host:pid)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def delivery_keys(body: dict[str, object]) -> list[str]:
    """The keys that identify one Slack delivery; empty when it needs no dedupe.

    Only Events API deliveries are retried by Slack; commands and clicks are not.
    """
    if body.get("type") != "event_callback":
        return []
    keys: list[str] = []
    event_id = body.get("event_id")
    if event_id:
        keys.append(f"event:{event_id}")
    event = body.get("event")
    if isinstance(event, dict) and event.get("type") in {"message", "app_mention"}:
        channel, ts = event.get("channel"), event.get("ts")
        if channel and ts:
            keys.append(f"message:{channel}:{ts}")
    return keys


def claim_delivery(
    services: Services, keys: Sequence[str], *, claimed_by: str, now: datetime | None = None
) -> bool:
    """True when this caller is the first to claim every key (all or none are recorded)."""
    if not keys:
        return True
    moment = now or utcnow()
    try:
        with unit_of_work(services.claims_session_factory) as session:
            for key in keys:
                if not claim_event_key(
                    session=session, event_key=key, claimed_by=claimed_by, now=moment
                ):
                    raise _AlreadyClaimed(key)
    except _AlreadyClaimed as duplicate:
        logger.info("duplicate Slack delivery skipped", extra={"claim_key": str(duplicate)})
        return False
    return True


def purge_old_claims(services: Services, *, now: datetime | None = None) -> int:
    """Delete claims past the retention window; run at start-up and by the jobs scheduler."""
    with unit_of_work(services.claims_session_factory) as session:
        removed = purge_event_claims(
            session=session, claimed_before=(now or utcnow()) - CLAIM_RETENTION
        )
    if removed:
        logger.info("purged old Slack delivery claims", extra={"removed": removed})
    return removed
