"""CTA alert planning: turn new CTAs into outbox rows under the no-noise policy.

Planning turns new CTAs into ``alerts`` rows keyed by a dedupe key under a unique
constraint, applying the no-noise policy: per-account cooldown, per-CSM daily budget
(the rest rolled into one summary), quiet hours and routing by CTA type. Sending the
rows is the outbox's job (``bot.services.outbox.delivery``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.db import alert_repository as alerts_db
from bot.db import cta_repository as ctas_db
from bot.db.audit import record_audit
from bot.services.ctas.alert_rendering import render_cta_message
from bot.services.ctas.rule_types import PRIORITY_ORDER
from bot.services.ctas.rules_config import RulesConfig
from bot.services.outbox.queue import local_day_bounds
from bot.services.outbox.quiet_hours import QuietHours
from bot.settings import Settings
from bot.slack.blocks.cta_alert import RolledCta, build_cta_summary_blocks

SINGLE_CTA_KINDS = ("cta", "cta_channel")
PLANNING_LOOKBACK = timedelta(days=2)


def cta_targets(settings: Settings, cta_type: str) -> tuple[bool, list[str]]:
    """(DM the owner?, channels) for a CTA type from ``CSBOT_CTA_CHANNELS``.

    A value is ``dm``, a channel id, or both joined by ``+`` (``dm+C0RISK``); types
    not listed go to the owner's DM.
    """
    route = settings.cta_channels.get(cta_type) or settings.cta_channels.get("*") or "dm"
    parts = [part.strip() for part in route.split("+") if part.strip()]
    return "dm" in parts, [part for part in parts if part != "dm"]


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
