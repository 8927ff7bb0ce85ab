"""Calls to action that are still open, for one account or across a scope."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from bot.db.models import Account, Cta
from bot.db.queries.records import CtaRecord, Page
from bot.db.queries.scope import AccountScope, apply_account_scope

# Anything not finished is still open work, whatever intermediate state the jobs use.
CLOSED_STATUSES = ("completed", "closed", "cancelled", "dismissed", "resolved")
PRIORITY_ORDER = ("urgent", "high", "medium", "low")


def _priority_rank() -> Any:
    return case(
        *((Cta.priority == name, rank) for rank, name in enumerate(PRIORITY_ORDER)),
        else_=len(PRIORITY_ORDER),
    )


def _open_ctas(columns: list[Any], scope: AccountScope, account_id: str | None) -> Select[Any]:
    statement = (
        select(*columns)
        .select_from(Cta)
        .join(Account, Account.account_id == Cta.account_id)
        .where(Cta.status.not_in(CLOSED_STATUSES))
    )
    if account_id is not None:
        statement = statement.where(Cta.account_id == account_id)
    return apply_account_scope(statement, scope)


def open_ctas(
    *,
    session: Session,
    scope: AccountScope,
    account_id: str | None = None,
    page: int = 0,
    page_size: int = 10,
) -> Page[CtaRecord]:
    """Open CTAs, most urgent and soonest due first."""
    rows = session.execute(
        _open_ctas([Cta, Account.name], scope, account_id)
        .order_by(_priority_rank(), Cta.due_date.asc().nulls_last(), Cta.created_at.desc(), Cta.id)
        .limit(page_size)
        .offset(page * page_size)
    ).all()
    total = int(session.scalar(_open_ctas([func.count()], scope, account_id)) or 0)
    items = [
        CtaRecord(
            cta_id=cta.id,
            account_id=cta.account_id,
            account_name=name,
            type=cta.type,
            priority=cta.priority,
            playbook_id=cta.playbook_id,
            reason=cta.reason,
            status=cta.status,
            due_date=cta.due_date,
            owner_csm_id=cta.owner_csm_id,
            created_at=cta.created_at,
        )
        for cta, name in rows
    ]
    return Page(items=items, total=total, page=page, page_size=page_size)
