"""Survey results: an account's NPS responses, and NPS over a scope."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Account, Contact, NpsResponse
from bot.db.queries.records import NpsRecord, NpsSummary
from bot.db.queries.scope import AccountScope, apply_account_scope

PROMOTER_MIN = 9
DETRACTOR_MAX = 6


def _counts_columns() -> list[Any]:
    return [
        func.count(),
        func.avg(NpsResponse.score),
        func.count().filter(NpsResponse.score >= PROMOTER_MIN),
        func.count().filter(NpsResponse.score <= DETRACTOR_MAX),
    ]


def _summary(latest: NpsRecord | None, row: Any) -> NpsSummary:
    responses, average, promoters, detractors = row
    responses = int(responses or 0)
    promoters = int(promoters or 0)
    detractors = int(detractors or 0)
    return NpsSummary(
        latest=latest,
        responses=responses,
        average=float(average) if average is not None else None,
        promoters=promoters,
        passives=responses - promoters - detractors,
        detractors=detractors,
    )


def account_nps(*, session: Session, account_id: str) -> NpsSummary:
    """The latest response and the average over every response the account gave."""
    latest_row = session.execute(
        select(NpsResponse, Contact.name)
        .outerjoin(Contact, Contact.contact_id == NpsResponse.contact_id)
        .where(NpsResponse.account_id == account_id)
        .order_by(NpsResponse.responded_at.desc(), NpsResponse.response_id.desc())
        .limit(1)
    ).first()
    latest = None
    if latest_row is not None:
        response, contact_name = latest_row
        latest = NpsRecord(
            response_id=response.response_id,
            responded_at=response.responded_at,
            score=int(response.score),
            comment=response.comment,
            contact_name=contact_name,
        )
    counts = session.execute(
        select(*_counts_columns()).where(NpsResponse.account_id == account_id)
    ).one()
    return _summary(latest, counts)


def portfolio_nps(*, session: Session, scope: AccountScope, since: datetime) -> NpsSummary:
    """Responses since ``since`` from active accounts in scope (no single latest)."""
    statement = apply_account_scope(
        select(*_counts_columns())
        .select_from(NpsResponse)
        .join(Account, Account.account_id == NpsResponse.account_id)
        .where(NpsResponse.responded_at >= since, Account.status == "active"),
        scope,
    )
    return _summary(None, session.execute(statement).one())
