"""The alert outbox: rows are claimed by unique dedupe key before anything is posted.

Two claims protect every message. Creating an alert is an insert-or-ignore on its
dedupe key (re-runs and replicas cannot create it twice); sending it is a conditional
``pending → sending`` update (two deliverers cannot both own it), whose
``next_attempt_at`` is the claim's expiry. A definite Slack error puts the row back to
``pending`` with the error, attempt count and next attempt time; an ambiguous one
(or a crash) leaves it ``sending`` until the channel has been checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from bot.db.insert_ignore import insert_ignore, insert_ignore_many
from bot.db.models import Alert

ACTIVE_STATUSES = ("pending", "sending", "sent")


def add_alert(*, session: Session, values: dict[str, Any]) -> bool:
    """Claim ``values['dedupe_key']``; False when an alert with that key exists."""
    return insert_ignore(session, Alert.__table__, values)  # type: ignore[arg-type]


def add_alerts(*, session: Session, rows: Sequence[dict[str, Any]]) -> int:
    return insert_ignore_many(session, Alert.__table__, rows)  # type: ignore[arg-type]


def alert_by_key(*, session: Session, dedupe_key: str) -> Alert | None:
    return session.scalar(select(Alert).where(Alert.dedupe_key == dedupe_key))


def _due(now: datetime) -> Any:
    return (Alert.status == "pending") & (
        or_(Alert.next_attempt_at.is_(None), Alert.next_attempt_at <= now)
    )


def next_due_alert_id(
    *, session: Session, now: datetime, after_id: int = 0, keys: Sequence[str] | None = None
) -> int | None:
    query = select(Alert.id).where(_due(now), Alert.id > after_id)
    if keys is not None:
        query = query.where(Alert.dedupe_key.in_(list(keys)))
    return session.scalar(query.order_by(Alert.id).limit(1))


def claim_alert(*, session: Session, alert_id: int, now: datetime, claim_until: datetime) -> bool:
    """``pending → sending`` if still pending and due; only one caller can win."""
    result = session.execute(
        update(Alert)
        .where(Alert.id == alert_id, _due(now))
        .values(status="sending", next_attempt_at=claim_until)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def due_alerts(
    *, session: Session, now: datetime, limit: int = 1000, keys: Sequence[str] | None = None
) -> list[Alert]:
    """Pending alerts whose time has come, soonest first (dry runs read these, unclaimed)."""
    query = select(Alert).where(_due(now))
    if keys is not None:
        query = query.where(Alert.dedupe_key.in_(list(keys)))
    order = (Alert.next_attempt_at.is_not(None), Alert.next_attempt_at, Alert.id)
    return list(session.scalars(query.order_by(*order).limit(limit)))


def mark_sent(*, session: Session, alert_id: int, channel: str, ts: str, now: datetime) -> None:
    session.execute(
        update(Alert)
        .where(Alert.id == alert_id)
        .values(
            status="sent",
            slack_channel=channel,
            slack_ts=ts,
            sent_at=now,
            attempts=Alert.attempts + 1,
            next_attempt_at=None,
            last_error=None,
        )
    )


def mark_attempt_failed(
    *,
    session: Session,
    alert_id: int,
    error: str,
    next_attempt_at: datetime | None,
    give_up: bool,
) -> None:
    """Record the failure on the row; it stays ``pending`` for the next run unless given up."""
    session.execute(
        update(Alert)
        .where(Alert.id == alert_id)
        .values(
            status="failed" if give_up else "pending",
            attempts=Alert.attempts + 1,
            last_error=error[:2000],
            next_attempt_at=None if give_up else next_attempt_at,
        )
    )


def defer_alert(*, session: Session, alert_id: int, until: datetime, note: str | None) -> None:
    """Put a claimed alert back without counting an attempt (quiet hours, parent not sent)."""
    values: dict[str, Any] = {"status": "pending", "next_attempt_at": until}
    if note:
        values["last_error"] = note
    session.execute(update(Alert).where(Alert.id == alert_id).values(**values))


def stale_claim_ids(
    *, session: Session, now: datetime, keys: Sequence[str] | None = None
) -> list[int]:
    """Rows left ``sending`` whose claim has expired: a crashed deliverer, or a post
    whose outcome was ambiguous (5xx, lost connection) and still needs a channel check.

    The message may or may not be in Slack; the caller checks the channel before
    deciding, never re-posts blind.
    """
    query = select(Alert.id).where(Alert.status == "sending", Alert.next_attempt_at < now)
    if keys is not None:
        query = query.where(Alert.dedupe_key.in_(list(keys)))
    return list(session.scalars(query.order_by(Alert.id)))


def claim_stale(*, session: Session, alert_id: int, now: datetime, claim_until: datetime) -> bool:
    """Take over an expired ``sending`` claim to reconcile it; only one caller can win."""
    result = session.execute(
        update(Alert)
        .where(Alert.id == alert_id, Alert.status == "sending", Alert.next_attempt_at < now)
        .values(next_attempt_at=claim_until)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def mark_unconfirmed(
    *, session: Session, alert_id: int, error: str, check_at: datetime, give_up: bool
) -> None:
    """An attempt whose outcome is unknown: stays ``sending`` until the channel is checked.

    After the last attempt the row is ``failed`` with the reason, still not re-posted.
    """
    session.execute(
        update(Alert)
        .where(Alert.id == alert_id)
        .values(
            status="failed" if give_up else "sending",
            attempts=Alert.attempts + 1,
            last_error=error[:2000],
            next_attempt_at=None if give_up else check_at,
        )
    )


def release_unposted(*, session: Session, alert_id: int, now: datetime, note: str) -> None:
    """The channel was checked and the message is not there: due again at once."""
    session.execute(
        update(Alert)
        .where(Alert.id == alert_id, Alert.status == "sending")
        .values(status="pending", next_attempt_at=now, last_error=note[:2000])
    )


def mark_interrupted_failed(*, session: Session, alert_id: int, note: str) -> None:
    """An interrupted send that cannot be checked (file uploads carry no metadata)."""
    session.execute(
        update(Alert)
        .where(Alert.id == alert_id, Alert.status == "sending")
        .values(status="failed", last_error=note, next_attempt_at=None)
    )


def dm_alerts_counted(
    *, session: Session, start: datetime, end: datetime, kinds: Sequence[str]
) -> dict[str, int]:
    """Per recipient CSM: single alerts already planned in [start, end) (the daily budget)."""
    rows = session.execute(
        select(Alert.recipient, func.count())
        .where(
            Alert.kind.in_(kinds),
            Alert.recipient.is_not(None),
            Alert.status.in_(ACTIVE_STATUSES + ("failed",)),
            Alert.created_at >= start,
            Alert.created_at < end,
        )
        .group_by(Alert.recipient)
    )
    return {recipient: int(count) for recipient, count in rows}


def last_alert_by_account(
    *, session: Session, since: datetime, kinds: Sequence[str]
) -> dict[str, datetime]:
    """When each account last had a single alert planned (for the per-account cooldown)."""
    rows = session.execute(
        select(Alert.account_id, func.max(Alert.created_at))
        .where(
            Alert.kind.in_(kinds),
            Alert.account_id.is_not(None),
            Alert.status.in_(ACTIVE_STATUSES),
            Alert.created_at >= since,
        )
        .group_by(Alert.account_id)
    )
    result: dict[str, datetime] = {}
    for account_id, at in rows:
        if isinstance(at, str):
            at = datetime.fromisoformat(at)
        if at.tzinfo is None:
            from datetime import UTC

            at = at.replace(tzinfo=UTC)
        result[account_id] = at
    return result


def sent_messages_for_cta(*, session: Session, cta_id: int) -> list[Alert]:
    """Every Slack message showing this CTA (DM and channel copies), to update in place."""
    return list(
        session.scalars(
            select(Alert).where(
                Alert.cta_id == cta_id, Alert.status == "sent", Alert.slack_ts.is_not(None)
            )
        )
    )


def get_alert(*, session: Session, alert_id: int) -> Alert | None:
    return session.get(Alert, alert_id)


def alert_status_counts(*, session: Session) -> dict[str, int]:
    rows = session.execute(select(Alert.status, func.count()).group_by(Alert.status))
    return {status: int(count) for status, count in rows}
