"""Settling posts the outbox cannot be sure of, by reading the channel back.

A failure that does not say whether Slack posted (a 5xx, a dropped connection, or a
deliverer killed mid-send) is never answered by posting again blind: every post
carries message metadata with its dedupe key, and the channel is read back
(``conversations.history`` / ``conversations.replies``) first. Found: recorded as
sent. Absent: retried. Unreadable: the row stays ``sending`` and is checked again by
the next delivery run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from bot.db import alert_repository as alerts_db
from bot.db.audit import record_audit
from bot.db.session import unit_of_work
from bot.services.outbox.on_sent import SentPost, run_on_sent
from bot.services.outbox.queue import CLAIM_SECONDS, MAX_ATTEMPTS, backoff_after
from bot.services.outbox.sender import SlackDeliveryError, SlackSender

if TYPE_CHECKING:
    from bot.services.outbox.queue import DeliveryReport

logger = logging.getLogger(__name__)

HISTORY_SLACK = timedelta(days=1)
"""The channel is read back from the alert's creation minus this (clock skew margin)."""


def snapshot_of(alert: Any) -> dict[str, Any]:
    """What delivery needs of a claimed row, read inside the claim's transaction."""
    created = alert.created_at
    if created is not None and created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return {
        "id": alert.id,
        "kind": alert.kind,
        "payload": dict(alert.payload or {}),
        "attempts": alert.attempts,
        "key": alert.dedupe_key,
        "account_id": alert.account_id,
        "created_at": created,
    }


def _history_oldest(alert: dict[str, Any]) -> float:
    created = alert.get("created_at")
    if created is None:
        return 0.0
    return max((created - HISTORY_SLACK).timestamp(), 0.0)


def reconcile_stale_claims(
    session_factory: sessionmaker[Session],
    *,
    sender: SlackSender,
    now: datetime,
    report: DeliveryReport,
    keys: list[str] | None,
) -> None:
    """Settle rows left ``sending`` (a killed deliverer, an unconfirmed post) by
    reading the channel: sent if the message is there, pending again if not."""
    with unit_of_work(session_factory) as session:
        stale = alerts_db.stale_claim_ids(session=session, now=now, keys=keys)
    for alert_id in stale:
        with unit_of_work(session_factory) as session:
            if not alerts_db.claim_stale(
                session=session,
                alert_id=alert_id,
                now=now,
                claim_until=now + timedelta(seconds=CLAIM_SECONDS),
            ):
                continue  # another deliverer is reconciling it
            alert = alerts_db.get_alert(session=session, alert_id=alert_id)
            snapshot = snapshot_of(alert) if alert is not None else None
        if snapshot is None:
            continue
        report.interrupted += 1
        payload = snapshot["payload"]
        if "upload" in payload:
            with unit_of_work(session_factory) as session:
                alerts_db.mark_interrupted_failed(
                    session=session,
                    alert_id=alert_id,
                    note="upload interrupted mid-send; not re-sent to avoid a duplicate",
                )
            logger.warning("interrupted upload marked failed", extra={"alert_id": alert_id})
            continue
        thread_ts, channel = thread_of(session_factory, payload)
        if payload.get("thread_of") and thread_ts is None:
            with unit_of_work(session_factory) as session:  # its parent was never posted
                alerts_db.release_unposted(
                    session=session, alert_id=alert_id, now=now, note="interrupted; not posted"
                )
            continue
        settle_ambiguous(
            session_factory,
            snapshot,
            sender=sender,
            channel=channel,
            thread_ts=thread_ts,
            moment=now,
            report=report,
            reason="interrupted mid-send",
            not_found=lambda session, alert_id=alert_id: alerts_db.release_unposted(
                session=session,
                alert_id=alert_id,
                now=now,
                note="interrupted mid-send; not in the channel, so sent again",
            ),
        )


def settle_ambiguous(
    session_factory: sessionmaker[Session],
    alert: dict[str, Any],
    *,
    sender: SlackSender,
    channel: str,
    thread_ts: str | None,
    moment: datetime,
    report: DeliveryReport,
    reason: str,
    not_found: Callable[[Session], None],
) -> str:
    """Read the conversation for the alert's metadata: ``sent``, ``absent`` or ``unknown``.

    Absent: ``not_found`` decides what happens to the row. Unreadable: the row stays
    ``sending`` (never re-posted blind) and is checked again after a backoff.
    """
    try:
        found = sender.find_posted(
            channel=channel,
            thread_ts=thread_ts,
            dedupe_key=alert["key"],
            oldest=_history_oldest(alert),
        )
    except SlackDeliveryError as error:
        attempts = alert["attempts"] + 1
        give_up = attempts >= MAX_ATTEMPTS
        with unit_of_work(session_factory) as session:
            alerts_db.mark_unconfirmed(
                session=session,
                alert_id=alert["id"],
                error=f"{reason}; channel check failed ({error}); not re-sent until checked",
                check_at=moment + backoff_after(attempts),
                give_up=give_up,
            )
        report.unconfirmed += 1
        report.gave_up += int(give_up)
        report.errors.append(f"{alert['key']}: unconfirmed: {error}")
        logger.warning(
            "alert delivery unconfirmed",
            extra={"alert_id": alert["id"], "dedupe_key": alert["key"], "error": str(error)},
        )
        return "unknown"
    if found is None:
        with unit_of_work(session_factory) as session:
            not_found(session)
        return "absent"
    record_sent(session_factory, alert, channel=found[0], ts=found[1], moment=moment)
    report.reconciled += 1
    logger.info(
        "alert found in the channel after an ambiguous failure; not re-sent",
        extra={"alert_id": alert["id"], "dedupe_key": alert["key"], "reason": reason},
    )
    return "sent"


def thread_of(
    session_factory: sessionmaker[Session], payload: dict[str, Any]
) -> tuple[str | None, str]:
    """(parent's ts, channel) for a threaded alert; (None, channel) otherwise.

    A DM parent was addressed to a user id; its replies go to the DM itself.
    """
    channel = str(payload.get("channel"))
    parent_key = payload.get("thread_of")
    if not parent_key:
        return None, channel
    with unit_of_work(session_factory) as session:
        parent = alerts_db.alert_by_key(session=session, dedupe_key=parent_key)
        if parent is None:
            return None, channel
        return parent.slack_ts, parent.slack_channel or channel


def record_sent(
    session_factory: sessionmaker[Session],
    alert: dict[str, Any],
    *,
    channel: str,
    ts: str,
    moment: datetime,
) -> None:
    """Mark the row sent, run its kind's on-sent hook and audit it, in one transaction."""
    payload = alert["payload"]
    with unit_of_work(session_factory) as session:
        alerts_db.mark_sent(
            session=session, alert_id=alert["id"], channel=channel, ts=ts, now=moment
        )
        run_on_sent(
            session,
            SentPost(
                kind=alert["kind"], dedupe_key=alert["key"], payload=payload, channel=channel, ts=ts
            ),
        )
        record_audit(
            session=session,
            actor="outbox",
            action="alert.sent",
            target=alert["key"],
            detail={"kind": alert["kind"], "channel": channel},
        )
