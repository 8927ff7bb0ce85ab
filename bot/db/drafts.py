"""Stored drafts: what csbot wrote, with which model, and whether it checked out."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Cta, Draft


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


def cta_draft_target(*, session: Session, cta_id: int) -> tuple[str, str, str] | None:
    """(account_id, playbook_id, type) of a CTA, for its "Draft email" button."""
    row = session.get(Cta, cta_id)
    if row is None:
        return None
    return row.account_id, row.playbook_id, row.type
