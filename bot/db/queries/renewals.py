"""Contracts up for renewal: one account's next renewal, and renewals in a date window."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from bot.db.models import Account, Contract, Csm
from bot.db.queries.accounts import DEFAULT_CURRENCY, as_money
from bot.db.queries.health import health_on
from bot.db.queries.records import (
    ContractRecord,
    MoneyTotal,
    Page,
    RenewalRow,
    RenewalsInWindow,
)
from bot.db.queries.scope import AccountScope, apply_account_scope

ACTIVE = "active"


def _contract(row: Contract) -> ContractRecord:
    return ContractRecord(
        contract_id=row.contract_id,
        account_id=row.account_id,
        start_date=row.start_date,
        end_date=row.end_date,
        arr=as_money(row.arr),
        status=row.status,
        auto_renew=row.auto_renew,
    )


def next_renewal(
    *, session: Session, account_id: str, today: date, statuses: tuple[str, ...] = (ACTIVE,)
) -> ContractRecord | None:
    """The contract in ``statuses`` that ends next; an already-ended one if none is ahead.

    A contract whose end date has passed but is still active is a renewal that is
    overdue, which a CSM needs to hear about rather than "no renewal". Drafting also
    counts pending contracts (signed, not yet started) as the live one.
    """
    base = select(Contract).where(Contract.account_id == account_id, Contract.status.in_(statuses))
    ahead = session.scalars(
        base.where(Contract.end_date >= today).order_by(Contract.end_date).limit(1)
    ).first()
    if ahead is not None:
        return _contract(ahead)
    overdue = session.scalars(base.order_by(Contract.end_date.desc()).limit(1)).first()
    return _contract(overdue) if overdue else None


def _window(columns: list[Any], *, scope: AccountScope, start: date, end: date) -> Select[Any]:
    statement = (
        select(*columns)
        .select_from(Contract)
        .join(Account, Account.account_id == Contract.account_id)
        .where(
            Contract.status == ACTIVE,
            Contract.end_date >= start,
            Contract.end_date <= end,
            Account.status == ACTIVE,
        )
    )
    return apply_account_scope(statement, scope)


def renewals_between(
    *,
    session: Session,
    scope: AccountScope,
    start: date,
    end: date,
    scoring_date: date | None,
    page: int = 0,
    page_size: int = 10,
) -> RenewalsInWindow:
    """Active contracts ending in [start, end], soonest first, with the account's health.

    Two light passes: totals grouped by currency over the end-date index (which
    also gives the count), and the page itself, which SQLite reads in end-date
    order and stops after ``page_size`` rows (health is joined for those only).
    """
    currency = func.coalesce(Account.currency, DEFAULT_CURRENCY)
    grouped = session.execute(
        _window(
            [
                currency,
                func.sum(Contract.arr),
                func.count(),
                func.count(func.distinct(Account.account_id)),
            ],
            scope=scope,
            start=start,
            end=end,
        ).group_by(currency)
    ).all()
    totals = sorted(
        (
            MoneyTotal(currency=cur, amount=as_money(amount), accounts=int(accounts))
            for cur, amount, _contracts, accounts in grouped
        ),
        key=lambda total: (-total.amount, total.currency),
    )
    total = sum(int(contracts) for _cur, _amount, contracts, _accounts in grouped)
    health, on = health_on(scoring_date)
    statement = (
        _window(
            [
                Contract.contract_id,
                Account.account_id,
                Account.name,
                Csm.name,
                Contract.end_date,
                Contract.arr,
                Account.currency,
                Contract.auto_renew,
                health.band,
                health.score,
            ],
            scope=scope,
            start=start,
            end=end,
        )
        .outerjoin(Csm, Csm.csm_id == Account.csm_id)
        .outerjoin(health, on)
        .order_by(Contract.end_date, Contract.contract_id)
        .limit(page_size)
        .offset(page * page_size)
    )
    items = [
        RenewalRow(
            contract_id=contract_id,
            account_id=account_id,
            account_name=name,
            csm_name=csm_name,
            end_date=end_date,
            arr=as_money(arr),
            currency=currency or DEFAULT_CURRENCY,
            auto_renew=auto_renew,
            band=band,
            score=float(score) if score is not None else None,
        )
        for (
            contract_id,
            account_id,
            name,
            csm_name,
            end_date,
            arr,
            currency,
            auto_renew,
            band,
            score,
        ) in session.execute(statement).all()
    ]
    return RenewalsInWindow(
        page=Page(items=items, total=total, page=page, page_size=page_size), totals=totals
    )
