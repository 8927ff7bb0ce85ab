"""Who is asking: CSMs by Slack id, their reports and their team."""

from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from bot.db.models import Csm
from bot.db.queries.records import CsmRecord


def _record(row: Csm) -> CsmRecord:
    return CsmRecord(
        csm_id=row.csm_id,
        name=row.name,
        role=row.role or "csm",
        slack_user_id=row.slack_user_id,
        manager_id=row.manager_id,
        team=row.team,
    )


def csm_by_slack_user(*, session: Session, slack_user_id: str) -> CsmRecord | None:
    """The CSM a Slack user is; the first by id if a Slack id was entered twice."""
    row = session.scalars(
        select(Csm).where(Csm.slack_user_id == slack_user_id).order_by(Csm.csm_id).limit(1)
    ).first()
    return _record(row) if row else None


def direct_report_ids(*, session: Session, manager_id: str) -> set[str]:
    return set(session.scalars(select(Csm.csm_id).where(Csm.manager_id == manager_id)))


def peer_ids(*, session: Session, csm: CsmRecord) -> set[str]:
    """CSMs who share the viewer's manager (or team name when no manager is set)."""
    if csm.manager_id:
        query = select(Csm.csm_id).where(Csm.manager_id == csm.manager_id)
    elif csm.team:
        query = select(Csm.csm_id).where(Csm.team == csm.team)
    else:
        return {csm.csm_id}
    return set(session.scalars(query)) | {csm.csm_id}


def default_chat_user(*, session: Session) -> CsmRecord | None:
    """Who the terminal chat speaks as when no ``--as`` is given: an admin, else a CSM.

    Only CSMs with a Slack id qualify, because the answer pipeline identifies
    viewers by Slack id exactly as Slack does.
    """
    rank = case((Csm.role == "admin", 0), (Csm.role == "manager", 1), else_=2)
    row = session.scalars(
        select(Csm).where(Csm.slack_user_id.is_not(None)).order_by(rank, Csm.csm_id).limit(1)
    ).first()
    return _record(row) if row else None


def csm_identities(*, session: Session) -> list[tuple[CsmRecord, str | None]]:
    """Every CSM with their email: what ``--as`` matches a Slack id, email or name against."""
    rows = session.scalars(select(Csm).order_by(Csm.csm_id))
    return [(_record(row), row.email) for row in rows]
