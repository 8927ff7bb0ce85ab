"""Stored drafts: what csbot wrote, with which model, and whether it checked out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Account, Cta, Draft


def add_draft(
    *,
    session: Session,
    account_id: str,
    kind: str,
    purpose: str | None,
    tone: str | None,
    subject: str | None,
    body: str,
    model: str,
    verified: bool,
    unsupported: list[str],
    created_by: str,
) -> Draft:
    """Add a draft to the caller's transaction; its id is available after the flush."""
    row = Draft(
        account_id=account_id,
        kind=kind,
        purpose=purpose,
        tone=tone,
        subject=subject,
        body=body,
        model=model,
        verified=verified,
        unsupported=unsupported,
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return row


def recent_drafts(*, session: Session, account_id: str, limit: int = 10) -> Sequence[Draft]:
    return session.scalars(
        select(Draft).where(Draft.account_id == account_id).order_by(Draft.id.desc()).limit(limit)
    ).all()


def draft_by_id(*, session: Session, draft_id: int) -> Draft | None:
    return session.get(Draft, draft_id)


@dataclass(frozen=True, slots=True)
class CtaDraftTarget:
    """What a CTA's "Draft email" button drafts for, and whose account that is."""

    account_id: str
    playbook_id: str
    cta_type: str
    owner_csm_id: str | None
    account_csm_id: str | None


def cta_draft_target(*, session: Session, cta_id: int) -> CtaDraftTarget | None:
    """The CTA's account, playbook and type, with the owner and the account's book."""
    row = session.get(Cta, cta_id)
    if row is None:
        return None
    account = session.get(Account, row.account_id)
    return CtaDraftTarget(
        account_id=row.account_id,
        playbook_id=row.playbook_id,
        cta_type=row.type,
        owner_csm_id=row.owner_csm_id,
        account_csm_id=account.csm_id if account is not None else None,
    )
