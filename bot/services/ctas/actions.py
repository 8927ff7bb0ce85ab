"""What the CTA buttons do: acknowledge, snooze, complete, reassign — each audited.

Every action re-reads the CTA, checks the actor with :mod:`bot.services.accounts.permissions`
(owner, owner's manager, admin; a CTA on an account the actor may not see is "not
found"), updates the row and returns the CTA with the Slack messages that show it, so the
handler can re-render them in place with ``chat.update``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.db import alert_repository as alerts_db
from bot.db import cta_repository as ctas_db
from bot.db.audit import record_audit
from bot.errors import PermissionDenied, UserFacingError
from bot.services.accounts.permissions import (
    Ownership,
    authorize_action,
    not_found_text,
    require_viewer,
    unlinked_text,
)
from bot.services.accounts.viewers import Visibility
from bot.services.ctas.alert_rendering import render_cta_message
from bot.services.outbox.queue import queue_message
from bot.settings import Settings

SNOOZE_DURATIONS = {"1d": timedelta(days=1), "1w": timedelta(weeks=1)}


@dataclass(frozen=True, slots=True)
class CtaMessage:
    channel: str
    ts: str


@dataclass(frozen=True, slots=True)
class CtaActionResult:
    cta_id: int
    status: str
    text: str
    blocks: list[dict[str, Any]]
    messages: list[CtaMessage]
    notice: str
    owner_csm_id: str | None = None


def cta_not_found(cta_id: int) -> str:
    return not_found_text(f"CTA #{cta_id}")


def _load(session: Session, cta_id: int) -> ctas_db.CtaWithPeople:
    item = ctas_db.cta_with_people(session=session, cta_id=cta_id)
    if item is None:
        raise UserFacingError(cta_not_found(cta_id))
    return item


def _result(session: Session, cta_id: int, notice: str) -> CtaActionResult:
    item = _load(session, cta_id)
    health = ctas_db.latest_health_by_account(session=session, account_ids=[item.cta.account_id])
    snapshot = health.get(item.cta.account_id)
    text, blocks = render_cta_message(
        item,
        drivers=snapshot.drivers if snapshot else None,
        health_text=f"{snapshot.score:.0f} ({snapshot.band})" if snapshot else None,
    )
    messages = [
        CtaMessage(channel=a.slack_channel, ts=a.slack_ts)
        for a in alerts_db.sent_messages_for_cta(session=session, cta_id=cta_id)
        if a.slack_channel and a.slack_ts
    ]
    return CtaActionResult(
        item.cta.id, item.cta.status, text, blocks, messages, notice, item.cta.owner_csm_id
    )


def authorize(
    session: Session, *, cta_id: int, slack_user_id: str, what: str, visibility: Visibility
) -> ctas_db.CtaWithPeople:
    """The CTA when ``slack_user_id`` may ``what`` it; raises user-safe text otherwise.

    The person is checked before the CTA is looked up, so an unknown Slack user
    cannot tell which CTA ids exist.
    """
    viewer = require_viewer(
        session, slack_user_id, visibility=visibility, refusal=unlinked_text(what)
    )
    item = ctas_db.cta_with_people(session=session, cta_id=cta_id)
    owner = (
        Ownership(
            account_csm_id=item.account_csm_id,
            owner_csm_id=item.cta.owner_csm_id,
            owner_manager_id=item.owner_manager_id,
            owner_name=item.owner_name,
        )
        if item is not None
        else None
    )
    authorize_action(viewer, owner, what=what, not_found=cta_not_found(cta_id))
    assert item is not None
    return item


def acknowledge_cta(
    session: Session, *, cta_id: int, slack_user_id: str, now: datetime, visibility: Visibility
) -> CtaActionResult:
    item = authorize(
        session,
        cta_id=cta_id,
        slack_user_id=slack_user_id,
        what="acknowledge this CTA",
        visibility=visibility,
    )
    cta = item.cta
    if cta.status == "open":
        cta.status, cta.updated_at = "acknowledged", now
        record_audit(
            session=session,
            actor=f"slack:{slack_user_id}",
            action="cta.acknowledged",
            target=f"cta:{cta_id}",
        )
    session.flush()
    return _result(session, cta_id, f"Acknowledged CTA #{cta_id}.")


def snooze_cta(
    session: Session,
    *,
    cta_id: int,
    slack_user_id: str,
    duration: str,
    reason: str,
    now: datetime,
    visibility: Visibility,
) -> CtaActionResult:
    if duration not in SNOOZE_DURATIONS:
        raise UserFacingError(f"Snooze must be one of {', '.join(SNOOZE_DURATIONS)}.")
    if not reason.strip():
        raise UserFacingError("Please give a reason for the snooze.")
    item = authorize(
        session,
        cta_id=cta_id,
        slack_user_id=slack_user_id,
        what="snooze this CTA",
        visibility=visibility,
    )
    cta = item.cta
    if cta.status == "completed":
        raise UserFacingError(f"CTA #{cta_id} is already completed.")
    cta.status = "snoozed"
    cta.snoozed_until = now + SNOOZE_DURATIONS[duration]
    cta.snooze_reason = reason.strip()[:500]
    cta.updated_at = now
    record_audit(
        session=session,
        actor=f"slack:{slack_user_id}",
        action="cta.snoozed",
        target=f"cta:{cta_id}",
        detail={"until": cta.snoozed_until.isoformat(), "reason": cta.snooze_reason},
    )
    session.flush()
    return _result(
        session, cta_id, f"Snoozed CTA #{cta_id} until {cta.snoozed_until:%d %b %H:%M} UTC."
    )


def complete_cta(
    session: Session,
    *,
    cta_id: int,
    slack_user_id: str,
    outcome: str,
    notes: str | None,
    now: datetime,
    visibility: Visibility,
) -> CtaActionResult:
    if not outcome.strip():
        raise UserFacingError("Please choose an outcome.")
    item = authorize(
        session,
        cta_id=cta_id,
        slack_user_id=slack_user_id,
        what="complete this CTA",
        visibility=visibility,
    )
    cta = item.cta
    cta.status = "completed"
    cta.outcome = outcome.strip() + (f" — {notes.strip()}" if notes and notes.strip() else "")
    cta.completed_at = cta.updated_at = now
    record_audit(
        session=session,
        actor=f"slack:{slack_user_id}",
        action="cta.completed",
        target=f"cta:{cta_id}",
        detail={"outcome": cta.outcome},
    )
    session.flush()
    return _result(session, cta_id, f"Completed CTA #{cta_id}.")


def reassign_cta(
    session: Session,
    *,
    cta_id: int,
    slack_user_id: str,
    new_owner_slack_id: str,
    now: datetime,
    settings: Settings,
) -> CtaActionResult:
    item = authorize(
        session,
        cta_id=cta_id,
        slack_user_id=slack_user_id,
        what="reassign this CTA",
        visibility=settings.visibility,
    )
    new_owner = ctas_db.csm_by_slack_user(session=session, slack_user_id=new_owner_slack_id)
    if new_owner is None:
        raise PermissionDenied("That person is not a CSM in csbot, so they cannot own a CTA.")
    cta = item.cta
    previous = cta.owner_csm_id
    cta.owner_csm_id, cta.updated_at = new_owner.csm_id, now
    record_audit(
        session=session,
        actor=f"slack:{slack_user_id}",
        action="cta.reassigned",
        target=f"cta:{cta_id}",
        detail={"from": previous, "to": new_owner.csm_id},
    )
    session.flush()
    result = _result(session, cta_id, f"Reassigned CTA #{cta_id} to {new_owner.name}.")
    if new_owner.csm_id != previous:
        queue_message(
            session,
            dedupe_key=f"cta:{cta_id}:dm:{new_owner.csm_id}",
            kind="cta",
            channel=new_owner_slack_id,
            text=result.text,
            blocks=result.blocks,
            now=now,
            settings=settings,
            account_id=item.cta.account_id,
            recipient=new_owner.csm_id,
            cta_id=cta_id,
        )
    return result
