"""The audit trail: who did what, when. Every import, answer, alert and draft writes one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AuditLog


def record_audit(
    *,
    session: Session,
    actor: str,
    action: str,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditLog:
    """Add an audit record to the caller's transaction (it commits with the work)."""
    entry = AuditLog(actor=actor, action=action, target=target, detail=detail)
    session.add(entry)
    return entry


def recent_audit(
    *, session: Session, limit: int = 20, action: str | None = None
) -> Sequence[AuditLog]:
    """The newest records first."""
    query = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if action:
        query = query.where(AuditLog.action == action)
    return session.scalars(query).all()
