"""Outbox delivery: send due rows, each exactly once, and record every outcome.

Delivery claims one row at a time, posts it, and records the outcome on the row; a
Slack error leaves the row pending with a backoff, so nothing is dropped and nothing
is posted twice. A failure that does not say whether Slack posted is settled by
reading the channel first (``bot.services.outbox.reconciliation``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from bot.db import alert_repository as alerts_db
from bot.db.session import unit_of_work
from bot.services.outbox.queue import (
    CLAIM_SECONDS,
    MAX_ATTEMPTS,
    QUIET_HOURS_EXEMPT_KINDS,
    ChannelPacer,
    DeliveryReport,
    backoff_after,
)
from bot.services.outbox.quiet_hours import QuietHours
from bot.services.outbox.reconciliation import (
    reconcile_stale_claims,
    record_sent,
    settle_ambiguous,
    snapshot_of,
    thread_of,
)
from bot.services.outbox.sender import (
    SlackDeliveryError,
    SlackSender,
    alert_metadata,
    sender_for,
)
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger(__name__)


ChartRenderer = Callable[[dict[str, Any]], bytes]


def _render_chart(spec: dict[str, Any]) -> bytes:
    from bot.slack.charts import render_chart_png

    return render_chart_png(spec)


def send_now(
    services: Services,
    *,
    now: datetime,
    keys: list[str] | None = None,
    wait_seconds: float = 30.0,
    sender: SlackSender | None = None,
) -> DeliveryReport | None:
    """Deliver what is due now, through ``sender`` or the one built by ``sender_for``.

    The explicit delivery step: the ``deliver_alerts`` job and jobs whose registry
    entry says ``delivers=True`` call it after their commit; a handler calls it with
    the ``keys`` it just queued. None when Slack is not configured: the rows wait.
    """
    chosen = sender if sender is not None else sender_for(services)
    if chosen is None:
        return None
    return deliver_due_alerts(
        services.session_factory,
        sender=chosen,
        settings=services.settings,
        now=now,
        wait_seconds=wait_seconds,
        keys=keys,
    )


def deliver_due_alerts(
    session_factory: sessionmaker[Session],
    *,
    sender: SlackSender,
    settings: Settings,
    now: datetime,
    wait_seconds: float = 30.0,
    keys: list[str] | None = None,
    render_chart: ChartRenderer = _render_chart,
    monotonic: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryReport:
    """Send every due pending alert once; failures are recorded and retried next run.

    ``now`` is the job's clock; real time spent sending is added to it. Alerts held
    back by a ``Retry-After`` shorter than ``wait_seconds`` are retried in this run.
    ``keys`` limits delivery to those alerts (a handler sending what it just queued).
    """
    report = DeliveryReport()
    started = monotonic()

    def current() -> datetime:
        return now + timedelta(seconds=monotonic() - started)

    reconcile_stale_claims(session_factory, sender=sender, now=now, report=report, keys=keys)
    quiet = QuietHours.parse(settings.quiet_hours, settings.tz)
    held_channels: dict[str, datetime] = {}
    pacer = ChannelPacer()

    while True:
        after_id = 0
        while True:
            moment = current()
            with unit_of_work(session_factory) as session:
                alert_id = alerts_db.next_due_alert_id(
                    session=session, now=moment, after_id=after_id, keys=keys
                )
                if alert_id is None:
                    break
                after_id = alert_id
                claimed = alerts_db.claim_alert(
                    session=session,
                    alert_id=alert_id,
                    now=moment,
                    claim_until=moment + timedelta(seconds=CLAIM_SECONDS),
                )
                alert = alerts_db.get_alert(session=session, alert_id=alert_id) if claimed else None
                snapshot = snapshot_of(alert) if alert is not None else None
            if snapshot is None:
                continue  # another deliverer owns it
            _deliver_one(
                session_factory,
                snapshot,
                sender=sender,
                moment=moment,
                quiet=quiet,
                report=report,
                render_chart=render_chart,
                held_channels=held_channels,
                pacer=pacer,
            )
        waiting = _next_retry_within(
            session_factory, current(), wait_seconds - (monotonic() - started), keys
        )
        if waiting is None:
            return report
        sleep(waiting)


def _next_retry_within(
    session_factory: sessionmaker[Session],
    moment: datetime,
    budget: float,
    keys: list[str] | None,
) -> float | None:
    if budget <= 0:
        return None
    with unit_of_work(session_factory) as session:
        upcoming = alerts_db.due_alerts(
            session=session, now=moment + timedelta(seconds=budget), limit=1, keys=keys
        )
    if not upcoming:
        return None
    next_at = upcoming[0].next_attempt_at
    if next_at is None:
        return 0.0
    return max((next_at - moment).total_seconds(), 0.0) + 0.05


def _deliver_one(
    session_factory: sessionmaker[Session],
    alert: dict[str, Any],
    *,
    sender: SlackSender,
    moment: datetime,
    quiet: QuietHours | None,
    report: DeliveryReport,
    render_chart: ChartRenderer,
    held_channels: dict[str, datetime],
    pacer: ChannelPacer,
) -> None:
    payload = alert["payload"]
    alert_id = alert["id"]
    if quiet and alert["kind"] not in QUIET_HOURS_EXEMPT_KINDS and quiet.contains(moment):
        with unit_of_work(session_factory) as session:
            alerts_db.defer_alert(
                session=session, alert_id=alert_id, until=quiet.release_time(moment), note=None
            )
        report.deferred += 1
        return
    thread_ts = None
    parent_key = payload.get("thread_of")
    if parent_key:
        thread_ts, payload["channel"] = thread_of(session_factory, payload)
        if thread_ts is None:
            with unit_of_work(session_factory) as session:
                alerts_db.defer_alert(
                    session=session,
                    alert_id=alert_id,
                    until=moment + timedelta(seconds=60),
                    note=f"waiting for {parent_key} to be sent",
                )
            report.deferred += 1
            return
    held_until = held_channels.get(str(payload.get("channel")))
    if held_until is None or held_until <= moment:
        held_until = pacer.ready_at(str(payload.get("channel")), moment)
    if held_until is not None and held_until > moment:
        with unit_of_work(session_factory) as session:
            alerts_db.defer_alert(session=session, alert_id=alert_id, until=held_until, note=None)
        report.deferred += 1
        return
    try:
        if "upload" in payload:
            upload = payload["upload"]
            content = render_chart(upload["chart"])
            sender.upload(
                channel=payload["channel"],
                thread_ts=thread_ts,
                content=content,
                filename=upload["filename"],
                title=upload["title"],
            )
            channel, ts = payload["channel"], thread_ts or ""
        else:
            channel, ts = sender.post(
                channel=payload["channel"],
                text=payload["text"],
                blocks=payload["blocks"],
                thread_ts=thread_ts,
                metadata=alert_metadata(alert["key"]),
            )
    except SlackDeliveryError as error:
        if error.ambiguous and "upload" not in payload:
            _handle_ambiguous_post(
                session_factory,
                alert,
                error,
                sender=sender,
                thread_ts=thread_ts,
                moment=moment,
                report=report,
                held_channels=held_channels,
                pacer=pacer,
            )
            return
        _record_failure(
            session_factory, alert, error, moment=moment, report=report, held_channels=held_channels
        )
        return
    record_sent(session_factory, alert, channel=channel, ts=ts, moment=moment)
    report.sent += 1
    pacer.spend(str(payload.get("channel")), moment)


def _record_failure(
    session_factory: sessionmaker[Session],
    alert: dict[str, Any],
    error: SlackDeliveryError,
    *,
    moment: datetime,
    report: DeliveryReport,
    held_channels: dict[str, datetime],
) -> None:
    """A failed attempt: pending again after ``Retry-After`` or the backoff, or given up."""
    payload = alert["payload"]
    attempts = alert["attempts"] + 1
    give_up = attempts >= MAX_ATTEMPTS
    delay = (
        timedelta(seconds=error.retry_after)
        if error.retry_after is not None
        else backoff_after(attempts)
    )
    if error.retry_after is not None:  # 429: hold the channel, keep serving the others
        held_channels[str(payload.get("channel"))] = moment + delay
    with unit_of_work(session_factory) as session:
        alerts_db.mark_attempt_failed(
            session=session,
            alert_id=alert["id"],
            error=str(error),
            next_attempt_at=moment + delay,
            give_up=give_up,
        )
    report.failed += 1
    report.gave_up += int(give_up)
    report.errors.append(f"{alert['key']}: {error}")
    log = logger.error if give_up else logger.warning
    log(
        "alert delivery failed",
        extra={
            "alert_id": alert["id"],
            "dedupe_key": alert["key"],
            "error": str(error),
            "attempts": attempts,
            "gave_up": give_up,
        },
    )


def _handle_ambiguous_post(
    session_factory: sessionmaker[Session],
    alert: dict[str, Any],
    error: SlackDeliveryError,
    *,
    sender: SlackSender,
    thread_ts: str | None,
    moment: datetime,
    report: DeliveryReport,
    held_channels: dict[str, datetime],
    pacer: ChannelPacer,
) -> None:
    """A 5xx or lost connection: the post may be in Slack. Look before retrying."""
    channel = str(alert["payload"].get("channel"))
    settled = settle_ambiguous(
        session_factory,
        alert,
        sender=sender,
        channel=channel,
        thread_ts=thread_ts,
        moment=moment,
        report=report,
        reason=str(error),
        not_found=lambda _session: None,
    )
    if settled == "sent":
        report.sent += 1
        pacer.spend(channel, moment)
        return
    if settled == "unknown":
        return  # left ``sending``: the next run checks the channel again
    _record_failure(
        session_factory, alert, error, moment=moment, report=report, held_channels=held_channels
    )


def preview_due_alerts(session: Session, *, now: datetime) -> list[dict[str, Any]]:
    """What delivery would send now (dry runs read the session before it is rolled back)."""
    previews = []
    for alert in alerts_db.due_alerts(session=session, now=now + timedelta(days=1)):
        payload = dict(alert.payload or {})
        previews.append(
            {
                "dedupe_key": alert.dedupe_key,
                "kind": alert.kind,
                "send_at": alert.next_attempt_at.isoformat() if alert.next_attempt_at else None,
                "channel": payload.get("channel"),
                "text": payload.get("text"),
                "blocks": payload.get("blocks"),
                **(
                    {"upload": {k: v for k, v in payload["upload"].items() if k != "chart"}}
                    if "upload" in payload
                    else {}
                ),
            }
        )
    return previews
