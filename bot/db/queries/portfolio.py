"""Portfolio lists and totals over a scope: accounts by band, ARR, band changes, movers.

All of these read health on one scoring date (see :mod:`bot.db.queries.health`)
and apply band overrides in SQL, so filtering, ordering and paging happen in
the database and a page costs the same at 20 accounts or 20,000.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, func, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from bot.db.models import Account, Contract, Csm, HealthScore
from bot.db.queries.accounts import DEFAULT_CURRENCY, as_money
from bot.db.queries.health import active_overrides_subquery, effective_band, health_on
from bot.db.queries.records import (
    BandChangeRow,
    BandCounts,
    MoneyTotal,
    MoverRow,
    Page,
    PortfolioAccountRow,
    PortfolioSummary,
)
from bot.db.queries.scope import AccountScope, apply_account_scope

AT_RISK_STAGE = "at-risk"
RED = "red"


def band_severity(band: Any) -> Any:
    """Sort key: red first, then yellow, green, and unscored last."""
    return case((band == "red", 0), (band == "yellow", 1), (band == "green", 2), else_=3)


# Builds the select list from (health alias, effective band column).
ColumnsFor = Callable[[Any, Any], list[Any]]


def _base(
    columns: ColumnsFor,
    *,
    scope: AccountScope,
    scoring_date: date | None,
    today: date,
    at_risk_only: bool,
    band_only: str | None = None,
) -> tuple[Select[Any], Any, Any]:
    """Active accounts in scope with their health on the scoring date and any override.

    "At risk" means the band people see is red, or the lifecycle stage is at-risk;
    ``band_only`` keeps the accounts whose shown band is exactly that one ("my green
    accounts" is not the at-risk list).
    """
    health, on = health_on(scoring_date)
    override = active_overrides_subquery(today)
    band = effective_band(health, override)
    statement = (
        select(*columns(health, band))
        .select_from(Account)
        .outerjoin(health, on)
        .outerjoin(override, override.c.account_id == Account.account_id)
        .where(Account.status == "active")
    )
    if at_risk_only:
        statement = statement.where(or_(band == RED, health.stage == AT_RISK_STAGE))
    if band_only is not None:
        statement = statement.where(band == band_only)
    return apply_account_scope(statement, scope), health, band


def _renewal_date_column(today: date) -> Any:
    return (
        select(func.min(Contract.end_date))
        .where(
            Contract.account_id == Account.account_id,
            Contract.status == "active",
            Contract.end_date >= today,
        )
        .correlate(Account)
        .scalar_subquery()
    )


def portfolio_accounts(
    *,
    session: Session,
    scope: AccountScope,
    scoring_date: date | None,
    today: date,
    at_risk_only: bool = False,
    band_only: str | None = None,
    page: int = 0,
    page_size: int = 10,
) -> Page[PortfolioAccountRow]:
    """Active accounts in scope, riskiest first (band, then ARR), one page of them."""

    def columns(health: Any, band: Any) -> list[Any]:
        return [
            Account.account_id,
            Account.name,
            Account.csm_id,
            Csm.name,
            Account.arr,
            Account.currency,
            health.band,
            health.score,
            health.stage,
            band,
            _renewal_date_column(today),
            func.count().over(),  # the whole list's size, in the same pass as the page
        ]

    statement, _health, band = _base(
        columns,
        scope=scope,
        scoring_date=scoring_date,
        today=today,
        at_risk_only=at_risk_only,
        band_only=band_only,
    )
    statement = statement.outerjoin(Csm, Csm.csm_id == Account.csm_id)
    rows = session.execute(
        statement.order_by(
            band_severity(band), Account.arr.desc().nulls_last(), Account.name, Account.account_id
        )
        .limit(page_size)
        .offset(page * page_size)
    ).all()
    total = _window_total(rows, page) if rows or page == 0 else None
    if total is None:
        count_statement, _h, _b = _base(
            _count_only,
            scope=scope,
            scoring_date=scoring_date,
            today=today,
            at_risk_only=at_risk_only,
            band_only=band_only,
        )
        total = int(session.scalar(count_statement) or 0)
    items = [
        PortfolioAccountRow(
            account_id=account_id,
            name=name,
            csm_id=csm_id,
            csm_name=csm_name,
            arr=as_money(arr) if arr is not None else None,
            currency=currency or DEFAULT_CURRENCY,
            band=computed,
            score=float(score) if score is not None else None,
            stage=stage,
            override_band=shown if shown != computed else None,
            renewal_date=renewal,
        )
        for (
            account_id,
            name,
            csm_id,
            csm_name,
            arr,
            currency,
            computed,
            score,
            stage,
            shown,
            renewal,
            _total,
        ) in rows
    ]
    return Page(items=items, total=total, page=page, page_size=page_size)


def portfolio_summary(
    *, session: Session, scope: AccountScope, scoring_date: date | None, today: date
) -> PortfolioSummary:
    """ARR totals, ARR at risk and band counts of the active accounts in scope, in one pass.

    One grouped query (currency × shown band × at risk) instead of three passes
    over the book: at 20,000 accounts each pass is the cost of a whole answer.
    """
    currency = func.coalesce(Account.currency, DEFAULT_CURRENCY)

    def columns(health: Any, band: Any) -> list[Any]:
        at_risk = case((or_(band == RED, health.stage == AT_RISK_STAGE), 1), else_=0)
        return [currency, band, at_risk, func.count(), func.sum(Account.arr)]

    statement, _health, _band = _base(
        columns, scope=scope, scoring_date=scoring_date, today=today, at_risk_only=False
    )
    # Positional GROUP BY: the band and risk expressions carry bound parameters, which
    # PostgreSQL would not recognise as the same expression if repeated.
    by_position = [literal_column(str(n)) for n in (1, 2, 3)]
    rows = session.execute(statement.group_by(*by_position)).all()
    totals: dict[str, list[Any]] = {}
    at_risk: dict[str, list[Any]] = {}
    by_band: dict[str, dict[str, list[Any]]] = {}
    bands: dict[str, int] = {}
    unscored = 0
    for cur, band, risky, count, amount in rows:
        buckets = [totals, at_risk] if risky else [totals]
        if band is not None:
            buckets.append(by_band.setdefault(str(band), {}))
        for bucket in buckets:
            entry = bucket.setdefault(cur, [0, Decimal(0)])
            entry[0] += int(count)
            entry[1] += as_money(amount)
        if band is None:
            unscored += int(count)
        else:
            bands[str(band)] = bands.get(str(band), 0) + int(count)
    return PortfolioSummary(
        totals=_money_totals(totals),
        at_risk=_money_totals(at_risk),
        by_band={name: _money_totals(money) for name, money in by_band.items()},
        bands=BandCounts(counts=bands, unscored=unscored, scored_on=scoring_date),
    )


def _money_totals(by_currency: dict[str, list[Any]]) -> list[MoneyTotal]:
    totals = [
        MoneyTotal(currency=cur, amount=amount, accounts=count)
        for cur, (count, amount) in by_currency.items()
    ]
    return sorted(totals, key=lambda total: (-total.amount, total.currency))


def _count_only(_health: Any, _band: Any) -> list[Any]:
    return [func.count()]


def _window_total(rows: list[Any], page: int) -> int | None:
    """The ``count() over ()`` column of a page; None past the end (no row to carry it)."""
    if rows:
        return int(rows[0][-1])
    return 0 if page == 0 else None


def _now_and_then() -> tuple[Any, Any]:
    """Two aliases of ``health_scores``: the later and the earlier scoring date."""
    return aliased(HealthScore, name="health_now"), aliased(HealthScore, name="health_then")


def band_changes(
    *,
    session: Session,
    scope: AccountScope,
    now_date: date,
    then_date: date,
    page: int = 0,
    page_size: int = 10,
) -> Page[BandChangeRow]:
    """Accounts whose band on ``now_date`` differs from ``then_date``; worsening first."""
    now, then = _now_and_then()

    def statement_for(columns: list[Any]) -> Select[Any]:
        statement = (
            select(*columns)
            .select_from(Account)
            .join(now, and_(now.account_id == Account.account_id, now.as_of == now_date))
            .join(then, and_(then.account_id == Account.account_id, then.as_of == then_date))
            .where(now.band != then.band)
        )
        return apply_account_scope(statement, scope)

    rows = session.execute(
        statement_for(
            [
                Account.account_id,
                Account.name,
                Csm.name,
                then.band,
                now.band,
                then.score,
                now.score,
                Account.arr,
                Account.currency,
                func.count().over(),
            ]
        )
        .outerjoin(Csm, Csm.csm_id == Account.csm_id)
        .order_by(
            band_severity(now.band) - band_severity(then.band),
            Account.arr.desc().nulls_last(),
            Account.account_id,
        )
        .limit(page_size)
        .offset(page * page_size)
    ).all()
    total = _window_total(rows, page)
    if total is None:
        total = int(session.scalar(statement_for([func.count()])) or 0)
    items = [
        BandChangeRow(
            account_id=account_id,
            name=name,
            csm_name=csm_name,
            band_before=before,
            band_now=after,
            score_before=float(score_before),
            score_now=float(score_now),
            arr=as_money(arr) if arr is not None else None,
            currency=currency or DEFAULT_CURRENCY,
        )
        for (
            account_id,
            name,
            csm_name,
            before,
            after,
            score_before,
            score_now,
            arr,
            currency,
            _total,
        ) in rows
    ]
    return Page(items=items, total=total, page=page, page_size=page_size)


def biggest_movers(
    *, session: Session, scope: AccountScope, now_date: date, then_date: date, limit: int = 5
) -> list[MoverRow]:
    """Accounts whose score moved most (either way) between two scoring dates."""
    now, then = _now_and_then()
    delta = now.score - then.score
    statement = (
        select(Account.account_id, Account.name, then.score, now.score, now.band)
        .select_from(Account)
        .join(now, and_(now.account_id == Account.account_id, now.as_of == now_date))
        .join(then, and_(then.account_id == Account.account_id, then.as_of == then_date))
        .where(delta != 0)
        .order_by(func.abs(delta).desc(), Account.account_id)
        .limit(limit)
    )
    rows = session.execute(apply_account_scope(statement, scope)).all()
    return [
        MoverRow(
            account_id=account_id,
            name=name,
            score_before=float(before),
            score_now=float(after),
            band_now=band,
        )
        for account_id, name, before, after, band in rows
    ]
