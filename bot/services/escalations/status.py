"""An escalation after filing: acknowledge, resolve, list the open ones, enforce the SLA.

The SLA clock is by severity (``SLA_HOURS``): when it runs out unacknowledged the
owner is re-pinged in the thread; if half an SLA more passes, the owner's manager
gets a DM. Each step's thread note is keyed by the step, so a re-run queues nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.db import escalation_repository as repo
from bot.db.audit import record_audit
from bot.services.accounts.permissions import (
    authorize_action,
    may_see,
    not_found_text,
    ownership,
    require_viewer,
    unlinked_text,
)
from bot.services.escalations.filing import SLA_HOURS, queue_thread_note, view_of
from bot.services.outbox.queue import queue_message
from bot.settings import Settings
from bot.slack.blocks.escalation import build_escalation_list, build_escalation_message

MANAGER_AFTER_SLA_FRACTION = 0.5
"""After the SLA ran out and the owner was re-pinged, this share of the SLA more → manager."""


def escalation_not_found(escalation_id: int) -> str:
    return not_found_text(f"escalation #{escalation_id}")


@dataclass(frozen=True, slots=True)
class EscalationUpdate:
    text: str
    blocks: list[dict[str, Any]]
    channel: str | None
    ts: str | None
    queued_keys: list[str]
    notice: str


def _change(
    session: Session,
    *,
    settings: Settings,
    escalation_id: int,
    slack_user_id: str,
    now: datetime,
    action: str,
) -> EscalationUpdate:
    what = f"{action} this escalation"
    viewer = require_viewer(
        session, slack_user_id, visibility=settings.visibility, refusal=unlinked_text(what)
    )
    item = repo.escalation_with_people(session=session, escalation_id=escalation_id)
    authorize_action(
        viewer,
        ownership(session, account_csm_id=item.owner_csm_id) if item is not None else None,
        what=what,
        not_found=escalation_not_found(escalation_id),
    )
    assert item is not None
    e = item.escalation
    keys: list[str] = []
    if action == "acknowledge" and e.status == "open":
        e.status, e.acknowledged_by, e.acknowledged_at = "acknowledged", slack_user_id, now
        note = f"👀 <@{slack_user_id}> acknowledged this escalation."
    elif action == "resolve" and e.status != "resolved":
        e.status, e.resolved_by, e.resolved_at = "resolved", slack_user_id, now
        note = f"✅ <@{slack_user_id}> resolved this escalation."
    else:
        note = ""
    if note:
        record_audit(
            session=session,
            actor=f"slack:{slack_user_id}",
            action=f"escalation.{action}d",
            target=f"escalation:{escalation_id}",
        )
        if e.slack_channel:
            keys.append(
                queue_thread_note(
                    session,
                    e,
                    step=action,
                    kind="escalation_update",
                    channel=e.slack_channel,
                    note=note,
                    now=now,
                    settings=settings,
                )
            )
    session.flush()
    text, blocks = build_escalation_message(view_of(item))
    return EscalationUpdate(
        text,
        blocks,
        e.slack_channel,
        e.slack_ts,
        keys,
        notice=note or f"Escalation #{escalation_id} is already {e.status}.",
    )


def acknowledge_escalation(session: Session, **kwargs: Any) -> EscalationUpdate:
    return _change(session, action="acknowledge", **kwargs)


def resolve_escalation(session: Session, **kwargs: Any) -> EscalationUpdate:
    return _change(session, action="resolve", **kwargs)


def list_open_escalations(
    session: Session, *, slack_user_id: str, settings: Settings
) -> tuple[str, list[dict[str, Any]]]:
    """Open escalations on the accounts ``slack_user_id`` may see."""
    viewer = require_viewer(session, slack_user_id, visibility=settings.visibility)
    visible = [
        item
        for item in repo.open_escalations(session=session)
        if may_see(viewer, ownership(session, account_csm_id=item.owner_csm_id))
    ]
    return build_escalation_list([view_of(i) for i in visible])


def enforce_escalation_sla(
    session: Session, *, settings: Settings, now: datetime
) -> dict[str, int]:
    """Re-ping the owner when the SLA runs out; then escalate to the manager by DM."""
    repinged = escalated = 0
    for item in repo.unacknowledged_past_sla(session=session, now=now):
        e = item.escalation
        if e.slack_channel is None:
            continue  # the post itself has not gone out yet; the outbox retries it first
        sla = timedelta(hours=SLA_HOURS.get(e.severity, 24.0))
        if e.repinged_at is None:
            owner = f"<@{item.owner_slack_id}>" if item.owner_slack_id else "Owner"
            queue_thread_note(
                session,
                e,
                step="reping",
                kind="escalation_sla",
                channel=e.slack_channel,
                note=f"⏰ {owner}: the acknowledgement SLA for this {e.severity} escalation "
                f"passed at {e.sla_due_at:%H:%M} UTC. Please acknowledge.",
                now=now,
                settings=settings,
            )
            e.repinged_at = now
            repinged += 1
        elif (
            e.escalated_to_manager_at is None
            and now >= e.sla_due_at + sla * MANAGER_AFTER_SLA_FRACTION
        ):
            if item.manager_slack_id:
                text, blocks = build_escalation_message(view_of(item))
                queue_message(
                    session,
                    dedupe_key=f"escalation:{e.id}:manager",
                    kind="escalation_sla",
                    channel=item.manager_slack_id,
                    text=f"Unacknowledged past SLA — {text}",
                    blocks=blocks,
                    now=now,
                    settings=settings,
                    account_id=e.account_id,
                )
            queue_thread_note(
                session,
                e,
                step="manager-note",
                kind="escalation_sla",
                channel=e.slack_channel,
                note="📣 Still unacknowledged: escalated to "
                + (f"<@{item.manager_slack_id}>." if item.manager_slack_id else "the team lead."),
                now=now,
                settings=settings,
            )
            e.escalated_to_manager_at = now
            escalated += 1
    return {"repinged": repinged, "escalated_to_manager": escalated}
