"""Drafting for a person in Slack: who they are, what they may see, what they asked for.

Slack handlers stay thin: they turn a command, a button or a modal into a
:class:`DraftRequest` and call :func:`draft_for_viewer` (one call), or hand an edited
draft to :func:`prepare_draft_copy` before DMing it. Permissions are the assistant's:
a person drafts only for accounts they may see, and unknown Slack users are refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.db.audit import record_audit
from bot.db.drafts import cta_draft_target, draft_by_id
from bot.db.session import unit_of_work
from bot.errors import UserFacingError
from bot.services import Services
from bot.services.accounts.permissions import (
    authorize_view,
    not_found_text,
    ownership,
    require_viewer,
)
from bot.services.accounts.viewers import Viewer
from bot.services.drafting.drafter import draft_from_pack
from bot.services.drafting.facts import build_facts_pack
from bot.services.drafting.grounding import GroundingIndex, GroundingReport, check_grounding
from bot.services.drafting.types import (
    DEFAULT_PURPOSE,
    DEFAULT_TONE,
    PURPOSES,
    DraftKind,
    DraftResult,
    Purpose,
    Tone,
)

logger = logging.getLogger(__name__)

DRAFT_USAGE = (
    "Usage: `/cs draft ACCOUNT [purpose]` — purpose is one of "
    + ", ".join(f"`{purpose}`" for purpose in PURPOSES)
    + ", or `summary` for an account brief. For example `/cs draft Acme Corp renewal`."
)
CTA_NOT_FOUND = not_found_text("that call to action")
UNKNOWN_USER = (
    "I don't know you yet: ask an admin to add your Slack user to csbot's CSM list "
    "so I know which accounts you may draft for."
)
# What a CTA's playbook asks of the customer email its "Draft email" button writes.
PURPOSE_BY_PLAYBOOK: dict[str, Purpose] = {
    "renewal": "renewal",
    "expansion": "expansion",
    "nps-detractor": "nps-followup",
    "advocacy": "nps-followup",
    "support-escalation": "escalation",
    "at-risk-intervention": "risk",
    "adoption-reactivation": "risk",
    "payment-failure": "risk",
    "cancellation-save": "risk",
}


@dataclass(frozen=True, slots=True)
class DraftRequest:
    """What someone asked csbot to draft, from any Slack surface."""

    slack_user_id: str
    kind: DraftKind
    account_query: str | None = None
    cta_id: int | None = None
    purpose: Purpose | None = None
    tone: Tone = DEFAULT_TONE


@dataclass(frozen=True, slots=True)
class DraftCommand:
    account_query: str
    kind: DraftKind
    purpose: Purpose | None


@dataclass(frozen=True, slots=True)
class DraftCopy:
    """An edited draft about to be DMed, re-checked against the store as edited."""

    account_name: str
    subject: str
    body: str
    grounding: GroundingReport


def parse_draft_command(text: str) -> DraftCommand:
    """``draft Acme Corp renewal`` → account "Acme Corp", email, purpose renewal.

    A trailing word that names a purpose (or ``summary``) is the purpose; everything
    before it is the account.

    Raises:
        UserFacingError: with the usage line when no account is given.
    """
    words = text.split()
    if words and words[0].lower() == "draft":
        words = words[1:]
    kind: DraftKind = "email"
    purpose: Purpose | None = None
    if words:
        last = words[-1].lower().replace("_", "-")
        last = {"checkin": "check-in", "nps": "nps-followup", "brief": "summary"}.get(last, last)
        if last == "summary":
            kind, words = "summary", words[:-1]
        elif last in PURPOSES:
            purpose, words = last, words[:-1]  # type: ignore[assignment]
    if not words:
        raise UserFacingError(f"Which account? {DRAFT_USAGE}")
    return DraftCommand(account_query=" ".join(words), kind=kind, purpose=purpose)


def draft_for_viewer(services: Services, request: DraftRequest) -> DraftResult:
    """Draft what the request asks, for an account the requester may see.

    Raises:
        PermissionDenied: the Slack user is not a known CSM.
        AccountNotFound, AmbiguousAccount: the account cannot be resolved in their scope.
        UserFacingError: the CTA behind a button no longer exists or is on an account the
            requester may not see (one text for both, naming neither the account nor its id).
    """
    with unit_of_work(services.session_factory) as session:
        viewer = _viewer(services, session, request.slack_user_id)
        account_query, purpose = request.account_query, request.purpose
        if request.cta_id is not None:
            target = cta_draft_target(session=session, cta_id=request.cta_id)
            owner = (
                ownership(
                    session,
                    account_csm_id=target.account_csm_id,
                    owner_csm_id=target.owner_csm_id,
                )
                if target is not None
                else None
            )
            authorize_view(viewer, owner, not_found=CTA_NOT_FOUND)
            assert target is not None
            account_query = target.account_id
            purpose = purpose or _purpose_for_cta(
                playbook_id=target.playbook_id, cta_type=target.cta_type
            )
    if not account_query:
        raise UserFacingError(f"Which account? {DRAFT_USAGE}")
    pack = build_facts_pack(services, account_query, scope=viewer.visible)
    is_email = request.kind == "email"
    return draft_from_pack(
        services,
        pack,
        kind=request.kind,
        purpose=(purpose or DEFAULT_PURPOSE) if is_email else None,
        tone=request.tone if is_email else None,
        actor=f"slack:{request.slack_user_id}",
        asker_csm_id=viewer.csm_id,
    )


def prepare_draft_copy(
    services: Services,
    *,
    slack_user_id: str,
    account_id: str,
    subject: str,
    body: str | None,
    draft_id: int | None = None,
) -> DraftCopy:
    """Re-check an edited draft against today's facts and audit that a copy was sent.

    People edit drafts; whatever they typed is checked again, so the copy says honestly
    whether every figure, date and name still matches the store. ``body=None`` means
    the text was too long to edit in Slack: the stored draft is used.

    Raises:
        PermissionDenied, AccountNotFound: as for :func:`draft_for_viewer`.
        UserFacingError: the stored draft is gone.
    """
    with unit_of_work(services.session_factory) as session:
        viewer = _viewer(services, session, slack_user_id)
        if body is None:
            stored = draft_by_id(session=session, draft_id=draft_id) if draft_id else None
            if stored is None or stored.account_id != account_id:
                raise UserFacingError("That draft is no longer available; draft it again.")
            body = stored.body
    pack = build_facts_pack(services, account_id, scope=viewer.visible)
    report = check_grounding([("subject", subject), ("body", body)], GroundingIndex.from_pack(pack))
    with unit_of_work(services.session_factory) as session:
        record_audit(
            session=session,
            actor=f"slack:{slack_user_id}",
            action="draft.copied",
            target=pack.account_id,
            detail={"verified": report.verified, "unsupported_count": len(report.unsupported)},
        )
    return DraftCopy(account_name=pack.account_name, subject=subject, body=body, grounding=report)


def _viewer(services: Services, session: Session, slack_user_id: str) -> Viewer:
    return require_viewer(
        session, slack_user_id, visibility=services.settings.visibility, refusal=UNKNOWN_USER
    )


def _purpose_for_cta(*, playbook_id: str, cta_type: str) -> Purpose:
    if playbook_id in PURPOSE_BY_PLAYBOOK:
        return PURPOSE_BY_PLAYBOOK[playbook_id]
    by_type: dict[str, Purpose] = {"risk": "risk", "renewal": "renewal", "expansion": "expansion"}
    return by_type.get(cta_type, DEFAULT_PURPOSE)
