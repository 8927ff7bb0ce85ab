"""Escalations: open one from the /escalate modal, acknowledge, resolve, enforce the SLA.

Every Slack post goes through the outbox (``queue_message``), so a Slack outage at
submit time leaves the escalation recorded and its post pending, retried by the
next job run, instead of lost. The SLA clock is by severity: when it runs out
unacknowledged the owner is re-pinged in the thread; if half an SLA more passes,
the owner's manager gets a DM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from bot.db import escalation_repository as repo
from bot.db.audit import record_audit
from bot.db.models import Escalation
from bot.errors import AccountNotFound, UserFacingError
from bot.money import AmountError, format_money, parse_money_input
from bot.services.accounts.permissions import (
    authorize_action,
    authorize_view,
    may_see,
    not_found_text,
    ownership,
    require_viewer,
    unlinked_text,
)
from bot.services.ctas.alerts import queue_message
from bot.settings import Settings
from bot.slack.blocks.escalation import (
    ARR_BLOCK,
    CATEGORIES,
    CATEGORY_BLOCK,
    DESCRIPTION_BLOCK,
    SEVERITIES,
    SEVERITY_BLOCK,
    EscalationView,
    build_escalation_list,
    build_escalation_message,
    build_thread_note,
)

if TYPE_CHECKING:
    from bot.services.accounts.names import AccountNameCache

SLA_HOURS = {"critical": 1.0, "high": 4.0, "medium": 24.0, "low": 72.0}
"""Time to acknowledge, by severity."""
MANAGER_AFTER_SLA_FRACTION = 0.5
"""After the SLA ran out and the owner was re-pinged, this share of the SLA more → manager."""


class EscalationFormInvalid(UserFacingError):
    """The modal's fields are wrong; ``errors`` maps block ids to messages (response_action)."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


@dataclass(frozen=True, slots=True)
class EscalationForm:
    account_id: str
    severity: str
    category: str
    arr_text: str
    description: str
    needed_by: date | None


ACCOUNT_NOT_FOUND = not_found_text("that account")
ESCALATE_UNLINKED = (
    "I don't know you yet: ask an admin to add your Slack user to csbot's CSM list "
    "so you can escalate the accounts you look after."
)


def escalation_not_found(escalation_id: int) -> str:
    return not_found_text(f"escalation #{escalation_id}")


def post_key(escalation_id: int) -> str:
    return f"escalation:{escalation_id}:post"


def _queue_thread_note(
    session: Session,
    escalation: Escalation,
    *,
    step: str,
    kind: str,
    channel: str,
    note: str,
    now: datetime,
    settings: Settings,
) -> str:
    """Queue ``note`` as a reply in the escalation's thread; returns its outbox key.

    The key names the escalation and the step, so a job run that repeats a step
    queues nothing new.
    """
    text, blocks = build_thread_note(note)
    key = f"escalation:{escalation.id}:{step}"
    queue_message(
        session,
        dedupe_key=key,
        kind=kind,
        channel=channel,
        text=text,
        blocks=blocks,
        now=now,
        settings=settings,
        account_id=escalation.account_id,
        extra={"thread_of": post_key(escalation.id)},
    )
    return key


def escalations_channel(settings: Settings) -> str:
    channel = settings.escalations_channel or settings.alerts_channel
    if not channel:
        raise UserFacingError(
            "Escalations are not set up: CSBOT_ESCALATIONS_CHANNEL is not configured."
        )
    return channel


def _parse(form: EscalationForm, today: date, currency: str | None) -> tuple[Decimal | None, str]:
    """Validate the modal; ARR may carry a symbol or code, but only the account's currency."""
    errors: dict[str, str] = {}
    if form.severity not in SEVERITIES:
        errors[SEVERITY_BLOCK] = "Choose a severity."
    if form.category not in CATEGORIES:
        errors[CATEGORY_BLOCK] = "Choose a category."
    arr: Decimal | None = None
    account_currency = (currency or "USD").upper()  # as the post displays it
    if form.arr_text.strip():
        try:
            arr, typed_currency = parse_money_input(form.arr_text)
        except AmountError as exc:
            errors[ARR_BLOCK] = (
                f"“{form.arr_text}” is not an amount: {exc}. "
                f"Type digits like 120000 or {format_money(120_000, account_currency)}."
            )
        else:
            if typed_currency and typed_currency != account_currency:
                errors[ARR_BLOCK] = (
                    f"“{form.arr_text}” is in {typed_currency}, but this account's ARR is "
                    f"in {account_currency}; enter the amount in {account_currency}."
                )
    description = form.description.strip()
    if not description:
        errors[DESCRIPTION_BLOCK] = "Describe what is happening."
    if form.needed_by is not None and form.needed_by < today:
        errors["needed_by"] = "“Needed by” is in the past."
    if errors:
        raise EscalationFormInvalid(errors)
    return arr, description


def view_of(item: repo.EscalationWithPeople) -> EscalationView:
    e = item.escalation
    return EscalationView(
        escalation_id=e.id,
        account_name=item.account_name,
        severity=e.severity,
        category=e.category,
        arr_at_risk=float(e.arr_at_risk) if e.arr_at_risk is not None else None,
        currency=item.account_currency,
        description=e.description,
        needed_by=e.needed_by,
        status=e.status,
        opened_by=e.opened_by,
        owner_slack_id=item.owner_slack_id,
        manager_slack_id=item.manager_slack_id,
        sla_due_at=e.sla_due_at,
        acknowledged_by=e.acknowledged_by,
        resolved_by=e.resolved_by,
    )


def open_escalation(
    session: Session, *, settings: Settings, form: EscalationForm, opened_by: str, now: datetime
) -> tuple[Escalation, list[str]]:
    """Record the escalation and queue its channel post and thread; returns the outbox keys.

    The modal's account id comes back from Slack, so it is checked again here: only a
    known person who may see the account can escalate it (a hidden account reads as
    missing).
    """
    viewer = require_viewer(
        session, opened_by, visibility=settings.visibility, refusal=ESCALATE_UNLINKED
    )
    found = repo.account_with_people(session=session, account_id=form.account_id)
    authorize_view(
        viewer,
        ownership(session, account_csm_id=found[0].csm_id) if found is not None else None,
        not_found=ACCOUNT_NOT_FOUND,
    )
    arr, description = _parse(
        form, now.astimezone(settings.tz).date(), found[0].currency if found else None
    )
    channel = escalations_channel(settings)
    escalation = Escalation(
        account_id=form.account_id,
        opened_by=opened_by,
        severity=form.severity,
        category=form.category,
        arr_at_risk=arr,
        description=description[:2000],
        needed_by=form.needed_by,
        status="open",
        created_at=now,
        sla_due_at=now + timedelta(hours=SLA_HOURS[form.severity]),
    )
    session.add(escalation)
    session.flush()
    item = repo.escalation_with_people(session=session, escalation_id=escalation.id)
    assert item is not None
    text, blocks = build_escalation_message(view_of(item))
    key = post_key(escalation.id)
    queue_message(
        session,
        dedupe_key=key,
        kind="escalation",
        channel=channel,
        text=text,
        blocks=blocks,
        now=now,
        settings=settings,
        account_id=form.account_id,
        extra={"escalation_id": escalation.id},
    )
    who = " ".join(f"<@{s}>" for s in (item.owner_slack_id, item.manager_slack_id) if s)
    note_key = _queue_thread_note(
        session,
        escalation,
        step="opened",
        kind="escalation_update",
        channel=channel,
        note=f"🧵 Updates on escalation #{escalation.id} go in this thread. {who} — please "
        f"acknowledge by {escalation.sla_due_at:%d %b %H:%M} UTC.",
        now=now,
        settings=settings,
    )
    record_audit(
        session=session,
        actor=f"slack:{opened_by}",
        action="escalation.opened",
        target=f"escalation:{escalation.id}",
        detail={"account_id": form.account_id, "severity": form.severity},
    )
    return escalation, [key, note_key]


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
                _queue_thread_note(
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
            _queue_thread_note(
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
            _queue_thread_note(
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


@dataclass(frozen=True, slots=True)
class EscalationTarget:
    account_id: str
    account_name: str
    arr: float | None
    currency: str | None = None


def resolve_escalation_account(
    session: Session,
    names: AccountNameCache,
    query: str,
    *,
    slack_user_id: str,
    settings: Settings,
) -> EscalationTarget:
    """The account ``/escalate`` names, among those ``slack_user_id`` may see.

    Unknown, hidden and ambiguous names raise user-facing errors; a hidden account
    gets exactly the "no account named" answer of a missing one. ``names`` is the
    shared cache (``services.account_names``).
    """
    from bot.services.accounts.names import BookPreference, resolve_one

    viewer = require_viewer(
        session, slack_user_id, visibility=settings.visibility, refusal=ESCALATE_UNLINKED
    )
    named = resolve_one(names, session, query, viewer.visible, BookPreference.for_viewer(viewer))
    found = repo.account_with_people(session=session, account_id=named.account_id)
    if found is None:
        raise AccountNotFound(query)
    account = found[0]
    return EscalationTarget(
        account.account_id,
        account.name,
        float(account.arr) if account.arr is not None else None,
        account.currency,
    )
