"""Commercial and relationship aggregates: invoices, contracts, NPS, interactions.

One grouped query per table, each returning one row per key with the columns
``scoring.measures`` reads; the contacts table tells champion and executive touches apart.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select

from bot.db.scoring_features.scope import (
    _contacts,
    _contracts,
    _count_if,
    _interactions,
    _invoices,
    _nps,
    _raw,
    _Scope,
)


def _invoice_query(scope: _Scope) -> Select[Any]:
    i = _invoices.c
    counted = or_(i.status.is_(None), i.status != "void")
    due_last_year = and_(counted, i.due_at >= scope.day(365), i.due_at < scope.day(0))
    paid_on_time = and_(i.paid_at.is_not(None), i.paid_at <= i.due_at, i.paid_at < scope.day(0))
    unpaid_past_due = and_(
        i.due_at < scope.day(0), or_(i.paid_at.is_(None), i.paid_at >= scope.day(0))
    )
    failed = and_(
        counted, i.issued_at >= scope.day(180), or_(i.status == "failed", unpaid_past_due)
    )
    return (
        select(
            scope.key(_invoices).label("key"),
            func.count().label("invoices_ever"),
            _count_if(due_last_year).label("invoices_due_365d"),
            _count_if(and_(due_last_year, paid_on_time)).label("invoices_on_time_365d"),
            _count_if(failed).label("failed_invoices_180d"),
            _raw(func.min(case((failed, i.issued_at)))).label("first_failed_invoice_at"),
        )
        .select_from(scope.source(_invoices))
        .where(i.issued_at < scope.day(0))
        .group_by(scope.key(_invoices))
    )


def _contract_query(scope: _Scope) -> Select[Any]:
    c = _contracts.c
    key = scope.key(_contracts)
    ranked = (
        select(
            key.label("key"),
            c.arr,
            c.end_date,
            func.row_number()
            .over(partition_by=key, order_by=(c.start_date.desc(), c.contract_id.desc()))
            .label("position"),
        )
        .select_from(scope.source(_contracts))
        .where(c.start_date < scope.day(0))
        .subquery()
    )
    r = ranked.c
    return select(
        r.key,
        func.count().label("contracts_ever"),
        func.max(case((r.position == 1, r.arr))).label("contract_arr"),
        func.max(case((r.position == 2, r.arr))).label("previous_contract_arr"),
        _raw(func.max(case((r.position == 1, r.end_date)))).label("contract_end_date"),
    ).group_by(r.key)


def _nps_query(scope: _Scope) -> Select[Any]:
    """The latest answer of the last 365 days (the highest score if two share a moment)."""
    n = _nps.c
    key = scope.key(_nps)
    account = scope.account_of(_nps)
    latest = (
        select(
            key.label("key"),
            account.label("account_id"),
            func.max(n.responded_at).label("responded_at"),
        )
        .select_from(scope.source(_nps))
        .where(n.responded_at < scope.instant(0), n.responded_at >= scope.instant(365))
        .group_by(key, account)
        .subquery()
    )
    answer = _nps.alias("answer")
    return (
        select(
            latest.c.key,
            func.max(answer.c.score).label("nps_latest"),
            _raw(latest.c.responded_at).label("nps_latest_at"),
        )
        .select_from(
            latest.join(
                answer,
                and_(
                    answer.c.account_id == latest.c.account_id,
                    answer.c.responded_at == latest.c.responded_at,
                ),
            )
        )
        .group_by(latest.c.key, latest.c.responded_at)
    )


def _interaction_query(scope: _Scope) -> Select[Any]:
    i = _interactions.c
    p = _contacts.c
    # An internal note is the CSM writing to themselves, not a touch with the customer: it
    # counts as relationship data on record, but never as the latest interaction.
    customer_facing = or_(i.type.is_(None), i.type != "note")
    champion = and_(customer_facing, p.is_champion.is_(True))
    executive = and_(customer_facing, or_(p.is_decision_maker.is_(True), i.type == "qbr"))
    source = scope.source(_interactions).outerjoin(_contacts, p.contact_id == i.contact_id)
    return (
        select(
            scope.key(_interactions).label("key"),
            func.count().label("interactions_ever"),
            _raw(func.max(case((customer_facing, i.occurred_at)))).label("last_interaction_at"),
            _raw(func.max(case((champion, i.occurred_at)))).label("last_champion_touch_at"),
            _raw(func.max(case((executive, i.occurred_at)))).label("last_executive_touch_at"),
        )
        .select_from(source)
        .where(i.occurred_at < scope.instant(0))
        .group_by(scope.key(_interactions))
    )
