"""Ranked portfolio lists: top/bottom N by a measure, health drops, expansion, churned, CSMs.

Each list is ordered and cut in SQL (``ORDER BY … LIMIT``), so a ranking over 20,000
accounts costs one indexed pass; the measure to rank by is picked from a fixed
table of columns, never built from what someone typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Float, and_, cast, func, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from bot.db.models import Account, Csm, HealthScore, Interaction
from bot.db.queries.accounts import DEFAULT_CURRENCY, as_money
from bot.db.queries.health import active_overrides_subquery, effective_band, health_on
from bot.db.queries.scope import AccountScope, apply_account_scope

Measure = Literal["arr", "health", "churn_risk", "seats_used", "expansion"]
MEASURES: tuple[Measure, ...] = ("arr", "health", "churn_risk", "seats_used", "expansion")


@dataclass(frozen=True, slots=True)
class RankedAccount:
    """An active account with the figures a ranking shows beside its name."""

    account_id: str
    name: str
    csm_name: str | None
    arr: Decimal | None
    currency: str
    band: str | None
    score: float | None
    churn_risk: float | None
    expansion: float | None
    licensed_seats: int | None
    seat_utilisation: float | None
    # Expansion's signals as stored on the health run (usage measures, NPS).
    signals: dict[str, float | None]

    @property
    def seats_used(self) -> float | None:
        if self.seat_utilisation is None or not self.licensed_seats:
            return None
        return self.seat_utilisation * self.licensed_seats


def _usage_measure(health: Any, name: str) -> Any:
    return cast(health.components["usage"]["measures"][name].as_float(), Float)


def _measure_column(measure: Measure, health: Any) -> Any:
    if measure == "arr":
        return Account.arr
    if measure == "health":
        return health.score
    if measure == "churn_risk":
        return health.churn_risk
    if measure == "expansion":
        return health.expansion
    return _usage_measure(health, "seat_utilisation") * Account.licensed_seats


def ranked_accounts(
    *,
    session: Session,
    scope: AccountScope,
    scoring_date: date | None,
    today: date,
    measure: Measure,
    highest: bool,
    limit: int,
    account_id: str | None = None,
) -> list[RankedAccount]:
    """The ``limit`` active accounts in scope with the highest (or lowest) ``measure``.

    Accounts without the measure (unscored, no ARR) are left out rather than ranked
    as zero: "lowest health" must not be the accounts nobody scored.
    """
    health, on = health_on(scoring_date)
    override = active_overrides_subquery(today)
    band = effective_band(health, override)
    column = _measure_column(measure, health)
    statement = (
        select(
            Account.account_id,
            Account.name,
            Csm.name,
            Account.arr,
            Account.currency,
            band,
            health.score,
            health.churn_risk,
            health.expansion,
            Account.licensed_seats,
            health.components,
        )
        .select_from(Account)
        .outerjoin(health, on)
        .outerjoin(override, override.c.account_id == Account.account_id)
        .outerjoin(Csm, Csm.csm_id == Account.csm_id)
        .where(Account.status == "active", column.is_not(None))
        .order_by(column.desc() if highest else column.asc(), Account.account_id)
        .limit(limit)
    )
    if account_id is not None:
        statement = statement.where(Account.account_id == account_id)
    rows = session.execute(apply_account_scope(statement, scope)).all()
    return [_ranked(row) for row in rows]


def _ranked(row: Any) -> RankedAccount:
    (account_id, name, csm_name, arr, currency, band, score, risk, expansion, seats, comps) = row
    usage = ((comps or {}).get("usage") or {}).get("measures") or {}
    survey = ((comps or {}).get("survey") or {}).get("measures") or {}
    return RankedAccount(
        account_id=account_id,
        name=name,
        csm_name=csm_name,
        arr=as_money(arr) if arr is not None else None,
        currency=currency or DEFAULT_CURRENCY,
        band=band,
        score=float(score) if score is not None else None,
        churn_risk=float(risk) if risk is not None else None,
        expansion=float(expansion) if expansion is not None else None,
        licensed_seats=seats,
        seat_utilisation=_float(usage.get("seat_utilisation")),
        signals={
            "seat_utilisation": _float(usage.get("seat_utilisation")),
            "active_users_trend": _float(usage.get("active_users_trend")),
            "feature_adoption": _float(usage.get("feature_adoption")),
            "nps_latest": _float(survey.get("nps_latest")),
        },
    )


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


@dataclass(frozen=True, slots=True)
class HealthDrop:
    account_id: str
    name: str
    csm_name: str | None
    score_before: float
    score_now: float
    band_before: str
    band_now: str
    arr: Decimal | None
    currency: str

    @property
    def delta(self) -> float:
        return self.score_now - self.score_before


def health_drops(
    *, session: Session, scope: AccountScope, now_date: date, then_date: date, limit: int
) -> list[HealthDrop]:
    """Accounts whose score fell most between two scoring dates (rises left out)."""
    now = aliased(HealthScore, name="health_now")
    then = aliased(HealthScore, name="health_then")
    delta = now.score - then.score
    statement = (
        select(
            Account.account_id,
            Account.name,
            Csm.name,
            then.score,
            now.score,
            then.band,
            now.band,
            Account.arr,
            Account.currency,
        )
        .select_from(Account)
        .join(now, and_(now.account_id == Account.account_id, now.as_of == now_date))
        .join(then, and_(then.account_id == Account.account_id, then.as_of == then_date))
        .outerjoin(Csm, Csm.csm_id == Account.csm_id)
        .where(delta < 0, Account.status == "active")
        .order_by(delta.asc(), Account.account_id)
        .limit(limit)
    )
    rows = session.execute(apply_account_scope(statement, scope)).all()
    return [
        HealthDrop(
            account_id=r[0],
            name=r[1],
            csm_name=r[2],
            score_before=float(r[3]),
            score_now=float(r[4]),
            band_before=r[5],
            band_now=r[6],
            arr=as_money(r[7]) if r[7] is not None else None,
            currency=r[8] or DEFAULT_CURRENCY,
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class ChurnedAccount:
    account_id: str
    name: str
    csm_name: str | None
    churned_at: date
    reason: str | None
    arr: Decimal | None
    currency: str


def churned_between(
    *, session: Session, scope: AccountScope, start: date, end: date, limit: int
) -> tuple[list[ChurnedAccount], int]:
    """Accounts that churned in [start, end], newest first, and how many there are."""
    where = and_(
        Account.status == "churned", Account.churned_at >= start, Account.churned_at <= end
    )
    statement = (
        select(
            Account.account_id,
            Account.name,
            Csm.name,
            Account.churned_at,
            Account.churn_reason,
            Account.arr,
            Account.currency,
        )
        .select_from(Account)
        .outerjoin(Csm, Csm.csm_id == Account.csm_id)
        .where(where)
        .order_by(Account.churned_at.desc(), Account.account_id)
        .limit(limit)
    )
    rows = session.execute(apply_account_scope(statement, scope)).all()
    total = session.scalar(
        apply_account_scope(select(func.count()).select_from(Account).where(where), scope)
    )
    items = [
        ChurnedAccount(
            account_id=r[0],
            name=r[1],
            csm_name=r[2],
            churned_at=r[3],
            reason=r[4],
            arr=as_money(r[5]) if r[5] is not None else None,
            currency=r[6] or DEFAULT_CURRENCY,
        )
        for r in rows
    ]
    return items, int(total or 0)


@dataclass(frozen=True, slots=True)
class QuietAccount:
    account_id: str
    name: str
    csm_name: str | None
    last_touch: datetime | None
    arr: Decimal | None
    currency: str


def accounts_without_contact(
    *, session: Session, scope: AccountScope, since: datetime, limit: int
) -> tuple[list[QuietAccount], int]:
    """Active accounts with no customer-facing interaction since ``since`` (never first).

    An internal note is not contact, the same rule as the 360 card's "last touch".
    Both tests are correlated on the (account_id, occurred_at) index, so a book of
    20,000 accounts costs one index seek per account, never a pass over every
    interaction ever logged.
    """
    customer_facing = or_(Interaction.type.is_(None), Interaction.type != "note")
    touched_since = (
        select(Interaction.interaction_id)
        .where(
            Interaction.account_id == Account.account_id,
            Interaction.occurred_at >= since,
            customer_facing,
        )
        .correlate(Account)
        .exists()
    )
    last_touch = (
        select(func.max(Interaction.occurred_at))
        .where(Interaction.account_id == Account.account_id, customer_facing)
        .correlate(Account)
        .scalar_subquery()
    )
    quiet = and_(Account.status == "active", ~touched_since)
    statement = (
        select(
            Account.account_id,
            Account.name,
            Csm.name,
            last_touch.label("last_touch"),
            Account.arr,
            Account.currency,
        )
        .select_from(Account)
        .outerjoin(Csm, Csm.csm_id == Account.csm_id)
        .where(quiet)
        .order_by(
            literal_column("last_touch").asc().nulls_first(),
            Account.arr.desc().nulls_last(),
            Account.account_id,
        )
        .limit(limit)
    )
    rows = session.execute(apply_account_scope(statement, scope)).all()
    count = select(func.count()).select_from(Account).where(quiet)
    total = session.scalar(apply_account_scope(count, scope))
    items = [
        QuietAccount(
            account_id=r[0],
            name=r[1],
            csm_name=r[2],
            last_touch=r[3],
            arr=as_money(r[4]) if r[4] is not None else None,
            currency=r[5] or DEFAULT_CURRENCY,
        )
        for r in rows
    ]
    return items, int(total or 0)


@dataclass(frozen=True, slots=True)
class CsmBandCount:
    csm_id: str
    name: str
    accounts: int
    arr: Decimal


def csms_by_band(
    *, session: Session, scope: AccountScope, scoring_date: date | None, today: date, band: str
) -> list[CsmBandCount]:
    """Per CSM in scope: how many active accounts show ``band``, most first."""
    health, on = health_on(scoring_date)
    override = active_overrides_subquery(today)
    shown = effective_band(health, override)
    count = func.count(Account.account_id)
    statement = (
        select(Csm.csm_id, Csm.name, count, func.sum(Account.arr))
        .select_from(Account)
        .join(Csm, Csm.csm_id == Account.csm_id)
        .outerjoin(health, on)
        .outerjoin(override, override.c.account_id == Account.account_id)
        .where(Account.status == "active", shown == band)
        .group_by(Csm.csm_id, Csm.name)
        .order_by(count.desc(), Csm.name)
    )
    rows = session.execute(apply_account_scope(statement, scope)).all()
    return [
        CsmBandCount(csm_id=r[0], name=r[1], accounts=int(r[2]), arr=as_money(r[3])) for r in rows
    ]


@dataclass(frozen=True, slots=True)
class CsmName:
    csm_id: str
    name: str
    role: str


def csm_names_all(*, session: Session) -> list[CsmName]:
    """Every CSM's id, name and role, for finding "Priya" in "Priya's red accounts"."""
    rows = session.execute(select(Csm.csm_id, Csm.name, Csm.role).order_by(Csm.csm_id)).all()
    return [CsmName(csm_id=r[0], name=r[1], role=r[2]) for r in rows]
