"""Escalation rows and the people around them (account owner and the owner's manager)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from bot.db.models import Account, Csm, Escalation


@dataclass(frozen=True, slots=True)
class EscalationWithPeople:
    escalation: Escalation
    account_name: str
    owner_csm_id: str | None
    owner_slack_id: str | None
    manager_slack_id: str | None
    account_currency: str | None = None


def _query():  # type: ignore[no-untyped-def]
    owner, manager = aliased(Csm), aliased(Csm)
    return (
        select(
            Escalation,
            Account.name,
            Account.csm_id,
            owner.slack_user_id,
            manager.slack_user_id,
            Account.currency,
        )
        .join(Account, Account.account_id == Escalation.account_id)
        .outerjoin(owner, owner.csm_id == Account.csm_id)
        .outerjoin(manager, manager.csm_id == owner.manager_id)
    )


def _wrap(row) -> EscalationWithPeople:  # type: ignore[no-untyped-def]
    return EscalationWithPeople(row[0], row[1], row[2], row[3], row[4], row[5])


def escalation_with_people(*, session: Session, escalation_id: int) -> EscalationWithPeople | None:
    row = session.execute(_query().where(Escalation.id == escalation_id)).first()
    return _wrap(row) if row is not None else None


def open_escalations(*, session: Session) -> list[EscalationWithPeople]:
    rows = session.execute(
        _query()
        .where(Escalation.status.in_(("open", "acknowledged")))
        .order_by(Escalation.sla_due_at)
    )
    return [_wrap(row) for row in rows]


def unacknowledged_past_sla(*, session: Session, now: datetime) -> list[EscalationWithPeople]:
    rows = session.execute(
        _query()
        .where(Escalation.status == "open", Escalation.sla_due_at <= now)
        .order_by(Escalation.id)
    )
    return [_wrap(row) for row in rows]


def account_with_people(
    *, session: Session, account_id: str
) -> tuple[Account, Csm | None, Csm | None] | None:
    account = session.get(Account, account_id)
    if account is None:
        return None
    owner = session.get(Csm, account.csm_id) if account.csm_id else None
    manager = session.get(Csm, owner.manager_id) if owner and owner.manager_id else None
    return account, owner, manager
