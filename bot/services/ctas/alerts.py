"""The alert outbox: plan messages as rows first, then deliver them, each exactly once.

Planning turns new CTAs (and digests, reminders, escalations) into ``alerts`` rows
keyed by a dedupe key under a unique constraint, applying the no-noise policy:
per-account cooldown, per-CSM daily budget (the rest rolled into one summary),
quiet hours and routing by CTA type. Delivery claims one row at a time, posts it,
and records the outcome on the row; a Slack error leaves the row pending with a
backoff, so nothing is dropped and nothing is posted twice.

A failure that does not say whether Slack posted (a 5xx, a dropped connection, or a
deliverer killed mid-send) is never answered by posting again blind: every post
carries message metadata with its dedupe key, and the channel is read back
(``conversations.history`` / ``conversations.replies``) first. Found: recorded as
sent. Absent: retried. Unreadable: the row stays ``sending`` and is checked again by
the next delivery run.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.db import alert_repository as alerts_db
from bot.db import cta_repository as ctas_db
from bot.db.audit import record_audit
from bot.db.models import Escalation
from bot.db.session import unit_of_work
from bot.services.ctas.rules import PRIORITY_ORDER, RulesConfig
from bot.services.outbox.quiet_hours import QuietHours
from bot.services.outbox.sender import SlackDeliveryError, SlackSender, alert_metadata
from bot.settings import Settings
from bot.slack.blocks.cta_alert import (
    CtaAlertView,
    RolledCta,
    build_cta_alert_blocks,
    build_cta_summary_blocks,
)
from bot.slack.blocks.renewal import build_renewal_alert_blocks

logger = logging.getLogger(__name__)

SINGLE_CTA_KINDS = ("cta", "cta_channel")
QUIET_HOURS_EXEMPT_KINDS = frozenset({"escalation", "escalation_update", "escalation_sla"})
MAX_ATTEMPTS = 10
CLAIM_SECONDS = 300
PLANNING_LOOKBACK = timedelta(days=2)
HISTORY_SLACK = timedelta(days=1)
"""The channel is read back from the alert's creation minus this (clock skew margin)."""
CHANNEL_RATE_PER_SECOND = 1.0
CHANNEL_BURST = 3
"""chat.postMessage allows about one message per second per channel, short bursts
tolerated (SLACK_PLATFORM A3): we pace ourselves rather than collect 429s."""


@dataclass
class ChannelPacer:
    """A token bucket per channel on the job's clock."""

    rate: float = CHANNEL_RATE_PER_SECOND
    burst: int = CHANNEL_BURST
    _buckets: dict[str, tuple[float, datetime]] = field(default_factory=dict)

    def _tokens(self, channel: str, moment: datetime) -> float:
        tokens, at = self._buckets.get(channel, (float(self.burst), moment))
        return min(float(self.burst), tokens + (moment - at).total_seconds() * self.rate)

    def ready_at(self, channel: str, moment: datetime) -> datetime | None:
        """None when a message may go now, else when the next token arrives."""
        tokens = self._tokens(channel, moment)
        if tokens >= 1:
            return None
        return moment + timedelta(seconds=(1 - tokens) / self.rate)

    def spend(self, channel: str, moment: datetime) -> None:
        self._buckets[channel] = (self._tokens(channel, moment) - 1, moment)


# --------------------------------------------------------------------------- routing
def cta_targets(settings: Settings, cta_type: str) -> tuple[bool, list[str]]:
    """(DM the owner?, channels) for a CTA type from ``CSBOT_CTA_CHANNELS``.

    A value is ``dm``, a channel id, or both joined by ``+`` (``dm+C0RISK``); types
    not listed go to the owner's DM.
    """
    route = settings.cta_channels.get(cta_type) or settings.cta_channels.get("*") or "dm"
    parts = [part.strip() for part in route.split("+") if part.strip()]
    return "dm" in parts, [part for part in parts if part != "dm"]


def local_day_bounds(moment: datetime, settings: Settings) -> tuple[date, datetime, datetime]:
    local = moment.astimezone(settings.tz)
    day = local.date()
    start = datetime.combine(day, datetime.min.time(), tzinfo=settings.tz)
    return day, start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


# --------------------------------------------------------------------------- playbooks
@dataclass(frozen=True, slots=True)
class PlaybookBrief:
    title: str
    first_steps: tuple[str, ...]


@lru_cache(maxsize=1)
def _playbook_briefs() -> dict[str, PlaybookBrief]:
    from knowledge.playbooks import load_playbooks

    return {
        playbook_id: PlaybookBrief(
            title=playbook.title,
            first_steps=tuple(
                f"{step.text} ({step.timing})" if step.timing else step.text
                for step in playbook.steps[:3]
            ),
        )
        for playbook_id, playbook in load_playbooks().items()
    }


def playbook_brief(playbook_id: str) -> PlaybookBrief | None:
    return _playbook_briefs().get(playbook_id)


def draft_action_id() -> str:
    """The drafting area's "Draft email" button; its value is the CTA id."""
    from bot.slack.ids import ActionId

    return ActionId.DRAFT_EMAIL.value


# --------------------------------------------------------------------------- rendering
def driver_texts(drivers: list[Any] | None, limit: int = 3) -> tuple[str, ...]:
    texts = []
    for driver in drivers or []:
        if isinstance(driver, dict) and driver.get("text"):
            texts.append(str(driver["text"]))
        elif isinstance(driver, str):
            texts.append(driver)
    return tuple(texts[:limit])


def status_line(item: ctas_db.CtaWithPeople) -> str:
    cta = item.cta
    if cta.status == "acknowledged":
        return f"👀 Acknowledged · {cta.updated_at:%d %b %H:%M} UTC"
    if cta.status == "snoozed" and cta.snoozed_until:
        why = f" — {cta.snooze_reason}" if cta.snooze_reason else ""
        return f"💤 Snoozed until {cta.snoozed_until:%d %b %H:%M} UTC{why}"
    if cta.status == "completed":
        outcome = f": {cta.outcome}" if cta.outcome else ""
        return f"✅ Completed{outcome}"
    return "Status: open"


def render_cta_message(
    item: ctas_db.CtaWithPeople, *, drivers: list[Any] | None, health_text: str | None
) -> tuple[str, list[dict[str, Any]]]:
    """(text, blocks) for a CTA in its current state; used for posting and chat.update."""
    cta = item.cta
    brief = playbook_brief(cta.playbook_id)
    view = CtaAlertView(
        cta_id=cta.id,
        account_id=cta.account_id,
        account_name=item.account_name,
        type=cta.type,
        priority=cta.priority,
        rule=cta.rule,
        reason=cta.reason,
        due_date=cta.due_date,
        status=cta.status,
        owner_slack_id=item.owner_slack_id,
        owner_name=item.owner_name,
        drivers=driver_texts(drivers),
        playbook_id=cta.playbook_id,
        playbook_title=brief.title if brief else None,
        first_steps=brief.first_steps if brief else (),
        status_line=status_line(item),
        draft_action_id=draft_action_id(),
    )
    details = cta.details or {}
    if cta.rule == "renewal" and "days_left" in details:
        return build_renewal_alert_blocks(
            view,
            days_left=int(details["days_left"]),
            end_date=date.fromisoformat(details["end_date"]),
            arr=details.get("arr"),
            currency=details.get("currency") or "USD",
            health=health_text,
        )
    return build_cta_alert_blocks(view)


# --------------------------------------------------------------------------- planning
@dataclass
class PlanReport:
    planned: int = 0
    rolled: int = 0
    summaries: int = 0
    unroutable: int = 0
    keys: list[str] = field(default_factory=list)


def plan_cta_alerts(
    session: Session,
    *,
    settings: Settings,
    rules: RulesConfig,
    now: datetime,
    only_rules: set[str] | None = None,
) -> PlanReport:
    """Turn CTAs that have no alert yet into outbox rows (or roll them into a summary)."""
    report = PlanReport()
    pending = ctas_db.ctas_awaiting_alert(
        session=session, since=now - PLANNING_LOOKBACK, rules=only_rules
    )
    if not pending:
        return report
    pending.sort(key=lambda i: (PRIORITY_ORDER.get(i.cta.priority, 9), i.cta.due_date, i.cta.id))
    day, day_start, day_end = local_day_bounds(now, settings)
    budget_used = alerts_db.dm_alerts_counted(
        session=session, start=day_start, end=day_end, kinds=("cta",)
    )
    cooldown = timedelta(hours=rules.account_cooldown_hours)
    last_alert = alerts_db.last_alert_by_account(
        session=session, since=now - cooldown, kinds=SINGLE_CTA_KINDS
    )
    quiet = QuietHours.parse(settings.quiet_hours, settings.tz)
    send_at = quiet.release_time(now) if quiet else now
    rows: list[dict[str, Any]] = []
    rolled: dict[str, list[tuple[ctas_db.CtaWithPeople, str]]] = defaultdict(list)
    alerted_now: set[str] = set()

    for item in pending:
        cta = item.cta

        def payload(channel: str | None, item: ctas_db.CtaWithPeople = item) -> dict[str, Any]:
            """Rendered only for alerts that will be sent (at scale most are rolled up)."""
            snapshot = ctas_db.latest_health_by_account(
                session=session, account_ids=[item.cta.account_id]
            ).get(item.cta.account_id)
            text, blocks = render_cta_message(
                item,
                drivers=snapshot.drivers if snapshot else None,
                health_text=f"{snapshot.score:.0f} ({snapshot.band})" if snapshot else None,
            )
            return {"channel": channel, "text": text, "blocks": blocks}

        wants_dm, channels = cta_targets(settings, cta.type)
        urgent = cta.priority == "urgent"
        cooling = not urgent and (
            cta.account_id in alerted_now
            or (cta.account_id in last_alert and last_alert[cta.account_id] > now - cooldown)
        )
        base = {
            "account_id": cta.account_id,
            "cta_id": cta.id,
            "created_at": now,
            "attempts": 0,
        }
        if wants_dm and not item.owner_slack_id:
            fallback = settings.alerts_channel
            if fallback and fallback not in channels:
                channels = [*channels, fallback]
            elif not fallback:
                rows.append(
                    {
                        **base,
                        "dedupe_key": f"cta:{cta.id}:dm:{cta.owner_csm_id or 'none'}",
                        "kind": "cta",
                        "recipient": cta.owner_csm_id,
                        "status": "failed",
                        "last_error": "no recipient: the owner has no Slack user id and "
                        "CSBOT_ALERTS_CHANNEL is not set",
                        "payload": payload(None),
                    }
                )
                report.unroutable += 1
            wants_dm = False
        if wants_dm:
            owner = cta.owner_csm_id or ""
            over_budget = (
                not urgent and budget_used.get(owner, 0) >= settings.csm_daily_alert_budget
            )
            key = f"cta:{cta.id}:dm:{owner}"
            if cooling or over_budget:
                rolled[owner].append((item, "cooldown" if cooling else "budget"))
                rows.append(
                    {
                        **base,
                        "dedupe_key": key,
                        "kind": "cta",
                        "recipient": owner,
                        "status": "rolled",
                        "payload": None,
                    }
                )
                report.rolled += 1
            else:
                budget_used[owner] = budget_used.get(owner, 0) + 1
                rows.append(
                    {
                        **base,
                        "dedupe_key": key,
                        "kind": "cta",
                        "recipient": owner,
                        "channel": item.owner_slack_id,
                        "status": "pending",
                        "next_attempt_at": send_at,
                        "payload": payload(item.owner_slack_id),
                    }
                )
                report.planned += 1
                report.keys.append(key)
        for channel in channels:
            key = f"cta:{cta.id}:ch:{channel}"
            if cooling:
                rows.append(
                    {
                        **base,
                        "dedupe_key": key,
                        "kind": "cta_channel",
                        "channel": channel,
                        "status": "rolled",
                        "payload": None,
                    }
                )
                continue
            rows.append(
                {
                    **base,
                    "dedupe_key": key,
                    "kind": "cta_channel",
                    "channel": channel,
                    "status": "pending",
                    "next_attempt_at": send_at,
                    "payload": payload(channel),
                }
            )
            report.planned += 1
            report.keys.append(key)
        alerted_now.add(cta.account_id)

    rows.extend(
        _summary_rows(
            session, rolled, settings=settings, day=day, now=now, send_at=send_at, report=report
        )
    )
    alerts_db.add_alerts(session=session, rows=rows)
    record_audit(
        session=session,
        actor="job:cta_alerts",
        action="alerts.planned",
        detail={
            "planned": report.planned,
            "rolled": report.rolled,
            "summaries": report.summaries,
            "unroutable": report.unroutable,
        },
    )
    return report


def _summary_rows(
    session: Session,
    rolled: dict[str, list[tuple[ctas_db.CtaWithPeople, str]]],
    *,
    settings: Settings,
    day: date,
    now: datetime,
    send_at: datetime,
    report: PlanReport,
) -> list[dict[str, Any]]:
    rows = []
    for owner, items in rolled.items():
        slack_id = items[0][0].owner_slack_id
        if not slack_id:
            continue
        reasons = {why for _, why in items}
        why = (
            f"Held back so you get at most {settings.csm_daily_alert_budget} single alerts a day"
            if "budget" in reasons
            else "Held back: these accounts already had an alert in the last day"
        )
        view_items = [
            RolledCta(
                account_name=item.account_name,
                priority=item.cta.priority,
                reason=item.cta.reason,
                cta_id=item.cta.id,
            )
            for item, _ in items
        ]
        text, blocks = build_cta_summary_blocks(view_items, day=day, why=why)
        first = min(item.cta.id for item, _ in items)
        key = f"summary:{owner}:{day.isoformat()}:{first}"
        rows.append(
            {
                "dedupe_key": key,
                "kind": "cta_summary",
                "recipient": owner,
                "channel": slack_id,
                "status": "pending",
                "created_at": now,
                "attempts": 0,
                "next_attempt_at": send_at,
                "payload": {
                    "channel": slack_id,
                    "text": text,
                    "blocks": blocks,
                    "cta_ids": [item.cta.id for item, _ in items],
                },
            }
        )
        report.summaries += 1
        report.keys.append(key)
    return rows


def queue_message(
    session: Session,
    *,
    dedupe_key: str,
    kind: str,
    channel: str,
    text: str,
    blocks: list[dict[str, Any]],
    now: datetime,
    settings: Settings,
    account_id: str | None = None,
    recipient: str | None = None,
    cta_id: int | None = None,
    extra: dict[str, Any] | None = None,
) -> bool:
    """Queue one message (digest, reminder, escalation post) under its dedupe key.

    Returns False when a message with this key was queued before, so jobs can be
    re-run freely.
    """
    send_at = now
    if kind not in QUIET_HOURS_EXEMPT_KINDS:
        quiet = QuietHours.parse(settings.quiet_hours, settings.tz)
        send_at = quiet.release_time(now) if quiet else now
    return alerts_db.add_alert(
        session=session,
        values={
            "dedupe_key": dedupe_key,
            "kind": kind,
            "account_id": account_id,
            "recipient": recipient,
            "cta_id": cta_id,
            "channel": channel,
            "status": "pending",
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": send_at,
            "payload": {"channel": channel, "text": text, "blocks": blocks, **(extra or {})},
        },
    )


# --------------------------------------------------------------------------- delivery
@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    gave_up: int = 0
    interrupted: int = 0
    reconciled: int = 0
    unconfirmed: int = 0
    errors: list[str] = field(default_factory=list)


def backoff_after(attempts: int) -> timedelta:
    """1 min, 2, 4, … capped at 6 h: slow enough not to hammer a broken channel."""
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 6 * 3600))


ChartRenderer = Callable[[dict[str, Any]], bytes]


def _render_chart(spec: dict[str, Any]) -> bytes:
    from bot.services.insights.charts import render_chart_png

    return render_chart_png(spec)


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

    _reconcile_stale_claims(session_factory, sender=sender, now=now, report=report, keys=keys)
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
                snapshot = _snapshot(alert) if alert is not None else None
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


def _snapshot(alert: Any) -> dict[str, Any]:
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


def _reconcile_stale_claims(
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
            snapshot = _snapshot(alert) if alert is not None else None
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
        thread_ts, channel = _thread_of(session_factory, payload)
        if payload.get("thread_of") and thread_ts is None:
            with unit_of_work(session_factory) as session:  # its parent was never posted
                alerts_db.release_unposted(
                    session=session, alert_id=alert_id, now=now, note="interrupted; not posted"
                )
            continue
        _settle_ambiguous(
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


def _settle_ambiguous(
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
    _record_sent(session_factory, alert, channel=found[0], ts=found[1], moment=moment)
    report.reconciled += 1
    logger.info(
        "alert found in the channel after an ambiguous failure; not re-sent",
        extra={"alert_id": alert["id"], "dedupe_key": alert["key"], "reason": reason},
    )
    return "sent"


def _thread_of(
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


def _record_sent(
    session_factory: sessionmaker[Session],
    alert: dict[str, Any],
    *,
    channel: str,
    ts: str,
    moment: datetime,
) -> None:
    payload = alert["payload"]
    with unit_of_work(session_factory) as session:
        alerts_db.mark_sent(
            session=session, alert_id=alert["id"], channel=channel, ts=ts, now=moment
        )
        escalation_id = payload.get("escalation_id")
        if escalation_id is not None and alert["kind"] == "escalation":
            escalation = session.get(Escalation, int(escalation_id))
            if escalation is not None:
                escalation.slack_channel, escalation.slack_ts = channel, ts
        record_audit(
            session=session,
            actor="outbox",
            action="alert.sent",
            target=alert["key"],
            detail={"kind": alert["kind"], "channel": channel},
        )


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
        thread_ts, payload["channel"] = _thread_of(session_factory, payload)
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
    _record_sent(session_factory, alert, channel=channel, ts=ts, moment=moment)
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
    settled = _settle_ambiguous(
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
