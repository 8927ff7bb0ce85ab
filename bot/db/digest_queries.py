"""Portfolio aggregates for the manager digest and the CSM weekly summary (grouped queries)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from bot.db.models import Account, Contract, Csm, Cta, Escalation, HealthOverride, HealthScore
from bot.db.queries.accounts import DEFAULT_CURRENCY
from bot.db.queries.portfolio import AT_RISK_STAGE, RED

# The account's currency; accounts without one are in the default (as in Q&A totals).
_CURRENCY = func.coalesce(Account.currency, DEFAULT_CURRENCY)


@dataclass(frozen=True, slots=True)
class AccountBand:
    account_id: str
    name: str
    csm_id: str | None
    arr: float
    score: float
    band: str
    currency: str = DEFAULT_CURRENCY


def _scope(query, csm_ids: Sequence[str] | None):  # type: ignore[no-untyped-def]
    if csm_ids is not None:
        query = query.where(Account.csm_id.in_(list(csm_ids)))
    return query


def bands_as_of(
    *, session: Session, day: date, csm_ids: Sequence[str] | None, lookback_days: int = 7
) -> dict[str, AccountBand]:
    """Each active account's newest snapshot on or before ``day`` (within ``lookback_days``)."""
    newest = (
        select(HealthScore.account_id, func.max(HealthScore.as_of).label("as_of"))
        .where(HealthScore.as_of <= day, HealthScore.as_of > day - timedelta(days=lookback_days))
        .group_by(HealthScore.account_id)
        .subquery()
    )
    query = (
        select(
            Account.account_id,
            Account.name,
            Account.csm_id,
            Account.arr,
            _CURRENCY.label("currency"),
            HealthScore.score,
            HealthScore.band,
        )
        .join(newest, newest.c.account_id == Account.account_id)
        .join(
            HealthScore,
            and_(
                HealthScore.account_id == newest.c.account_id, HealthScore.as_of == newest.c.as_of
            ),
        )
        .where(Account.status == "active")
    )
    rows = session.execute(_scope(query, csm_ids))
    return {
        row.account_id: AccountBand(
            row.account_id,
            row.name,
            row.csm_id,
            float(row.arr or 0),
            float(row.score),
            row.band,
            row.currency,
        )
        for row in rows
    }


def _as_date(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def scored_days_between(
    *, session: Session, start: date, end: date, csm_ids: Sequence[str] | None
) -> list[date]:
    """Days in [start, end] with at least one stored snapshot of an active account in scope.

    A day nobody scored has no ARR-at-risk figure at all: it is not a day with $0 at risk.
    """
    query = (
        select(HealthScore.as_of)
        .join(Account, Account.account_id == HealthScore.account_id)
        .where(HealthScore.as_of >= start, HealthScore.as_of <= end, Account.status == "active")
        .group_by(HealthScore.as_of)
        .order_by(HealthScore.as_of)
    )
    return [_as_date(day) for (day,) in session.execute(_scope(query, csm_ids))]


def _override_in_force_on(day: ColumnElement[Any]) -> ColumnElement[Any]:
    """The band of the account's newest override in force on ``day`` (NULL: none)."""
    return (
        select(HealthOverride.band)
        .where(
            HealthOverride.account_id == HealthScore.account_id,
            func.date(HealthOverride.created_at) <= day,
            HealthOverride.until >= day,
            or_(
                HealthOverride.cleared_at.is_(None),
                func.date(HealthOverride.cleared_at) > day,
            ),
        )
        .order_by(HealthOverride.id.desc())
        .limit(1)
        .correlate(HealthScore)
        .scalar_subquery()
    )


def red_arr_by_day(
    *, session: Session, start: date, end: date, csm_ids: Sequence[str] | None
) -> dict[date, dict[str, float]]:
    """ARR at risk per scored day in [start, end] and currency, as the glossary defines it.

    An account counts on a day when that day's band (an override in force that day wins)
    was red or its stage was at-risk, so the chart's last point is the digest's headline
    (``bot.services.metrics``). Only days with such an account appear; see
    :func:`scored_days_between` for the days that were scored at all.
    """
    shown = func.coalesce(_override_in_force_on(HealthScore.as_of), HealthScore.band)
    query = (
        select(HealthScore.as_of, _CURRENCY, func.sum(Account.arr))
        .join(Account, Account.account_id == HealthScore.account_id)
        .where(
            HealthScore.as_of >= start,
            HealthScore.as_of <= end,
            or_(shown == RED, HealthScore.stage == AT_RISK_STAGE),
            Account.status == "active",
        )
        .group_by(HealthScore.as_of, _CURRENCY)
    )
    result: dict[date, dict[str, float]] = {}
    for as_of, currency, total in session.execute(_scope(query, csm_ids)):
        result.setdefault(_as_date(as_of), {})[currency] = float(total or 0)
    return result


@dataclass(frozen=True, slots=True)
class RenewalRow:
    account_id: str
    name: str
    end_date: date
    arr: float
    currency: str = DEFAULT_CURRENCY


def renewals_between(
    *, session: Session, start: date, end: date, csm_ids: Sequence[str] | None
) -> list[RenewalRow]:
    query = (
        select(
            Account.account_id,
            Account.name,
            Contract.end_date,
            Contract.arr,
            _CURRENCY.label("currency"),
        )
        .join(Account, Account.account_id == Contract.account_id)
        .where(
            Contract.status == "active",
            Contract.end_date >= start,
            Contract.end_date <= end,
            Account.status == "active",
        )
        .order_by(Contract.end_date)
    )
    return [
        RenewalRow(r.account_id, r.name, r.end_date, float(r.arr), r.currency)
        for r in session.execute(_scope(query, csm_ids))
    ]


def overdue_ctas_by_owner(
    *, session: Session, today: date, csm_ids: Sequence[str] | None
) -> list[tuple[str, str | None, int]]:
    """(owner name, owner Slack id, overdue open CTAs), most overdue first."""
    query = (
        select(Csm.name, Csm.slack_user_id, func.count(Cta.id))
        .join(Csm, Csm.csm_id == Cta.owner_csm_id)
        .where(Cta.status.in_(("open", "acknowledged")), Cta.due_date < today)
        .group_by(Csm.csm_id, Csm.name, Csm.slack_user_id)
        .order_by(func.count(Cta.id).desc())
    )
    if csm_ids is not None:
        query = query.where(Cta.owner_csm_id.in_(list(csm_ids)))
    return [(name, slack_id, int(n)) for name, slack_id, n in session.execute(query)]


def cta_completion(
    *, session: Session, since: datetime, csm_ids: Sequence[str] | None
) -> tuple[int, int]:
    """(completed, raised) for CTAs raised since ``since``."""
    query = select(
        func.count(Cta.id), func.sum(case((Cta.status == "completed", 1), else_=0))
    ).where(Cta.created_at >= since)
    if csm_ids is not None:
        query = query.where(Cta.owner_csm_id.in_(list(csm_ids)))
    raised, completed = session.execute(query).one()
    return int(completed or 0), int(raised or 0)


def open_ctas_count(*, session: Session, csm_ids: Sequence[str] | None) -> int:
    query = select(func.count(Cta.id)).where(Cta.status.in_(("open", "acknowledged", "snoozed")))
    if csm_ids is not None:
        query = query.where(Cta.owner_csm_id.in_(list(csm_ids)))
    return int(session.scalar(query) or 0)


def escalations_past_sla(
    *, session: Session, now: datetime, csm_ids: Sequence[str] | None
) -> list[tuple[int, str, str, datetime]]:
    """(id, account name, severity, SLA due) of open, unacknowledged escalations past SLA."""
    query = (
        select(Escalation.id, Account.name, Escalation.severity, Escalation.sla_due_at)
        .join(Account, Account.account_id == Escalation.account_id)
        .where(Escalation.status == "open", Escalation.sla_due_at < now)
        .order_by(Escalation.sla_due_at)
    )
    return [(i, name, sev, due) for i, name, sev, due in session.execute(_scope(query, csm_ids))]


def team_members(*, session: Session, manager_id: str) -> list[str]:
    """The manager's direct reports plus the manager (they may own accounts too)."""
    ids = list(session.scalars(select(Csm.csm_id).where(Csm.manager_id == manager_id)))
    return [manager_id, *ids]


def people_with_role(*, session: Session, role: str) -> list[Csm]:
    return list(session.scalars(select(Csm).where(Csm.role == role).order_by(Csm.csm_id)))


def csms_owning_accounts(*, session: Session) -> list[Csm]:
    owners = select(Account.csm_id).where(Account.status == "active").distinct()
    return list(session.scalars(select(Csm).where(Csm.csm_id.in_(owners)).order_by(Csm.csm_id)))
