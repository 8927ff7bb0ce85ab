"""Point-in-time aggregates for past renewal outcomes, the samples models train on.

Each (outcome, lead time) pair is one sample whose cutoff sits in a temporary table,
so every feature-family query runs once for all samples and sees only data from
before that sample's own ``as_of``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.orm import Session

from bot.db.base import UTCDateTime
from bot.db.scoring_features.assembly import _attach_parts, _frame, _with_part_columns
from bot.db.scoring_features.scope import (
    OUTCOME_STATUSES,
    WINDOWS,
    _accounts,
    _contracts,
    _CutoffTable,
    _raw,
    _usage,
)


@dataclass(frozen=True)
class OutcomeAggregates:
    """Point-in-time aggregates for past renewal outcomes, one row per (outcome, lead time).

    The same outcome appears once per lead time (days before its end date) whose cutoff
    falls inside the contract and after enough usage history; ``contract_ids`` group the
    rows of one outcome and ``account_ids`` the rows of one account.
    """

    aggregates: pd.DataFrame  # AGGREGATE_COLUMNS, ``as_of`` = outcome date - lead
    labels: pd.Series  # 1 churned, 0 renewed
    outcome_dates: pd.Series
    contract_ids: pd.Series
    lead_days: pd.Series
    account_ids: pd.Series


#: Days of usage history a cutoff needs behind it (the two 30-day trend windows).
MIN_HISTORY_DAYS = 60


def usage_history_start(*, session: Session) -> date | None:
    """The first day the store has product usage for (None when it has none)."""
    first: date | None = session.scalar(select(func.min(_usage.c.date)))
    return first


def renewal_outcomes(
    *, session: Session, before: date, ended_after: date | None = None
) -> pd.DataFrame:
    """Past contracts that renewed or churned, ending in (``ended_after``, ``before``)."""
    c = _contracts.c
    query = (
        select(c.contract_id, c.account_id, c.start_date, c.end_date, c.status)
        .where(c.status.in_(OUTCOME_STATUSES), c.end_date < before)
        .order_by(c.end_date, c.contract_id)
    )
    if ended_after is not None:
        query = query.where(c.end_date > ended_after)
    frame = _frame(session, query)
    frame["start_date"] = pd.to_datetime(frame["start_date"])
    frame["end_date"] = pd.to_datetime(frame["end_date"])
    return frame


def trainable_outcomes(*, session: Session, before: date, horizon_days: int) -> pd.DataFrame:
    """The renewal outcomes a model can learn from: ending before ``before``, and late
    enough that ``horizon_days`` before each the store already had usage history."""
    first_usage = usage_history_start(session=session)
    ended_after = None
    if first_usage is not None:
        ended_after = first_usage + timedelta(days=MIN_HISTORY_DAYS + horizon_days - 1)
    return renewal_outcomes(session=session, before=before, ended_after=ended_after)


def outcome_aggregates(
    *,
    session: Session,
    before: date,
    horizon_days: int | None = None,
    lead_days: Sequence[int] | None = None,
) -> OutcomeAggregates:
    """Aggregates as of each lead time before every renewal outcome ending before ``before``.

    Each (outcome, lead) pair becomes one sample row whose ``as_of`` is the outcome date
    minus the lead, so only data from before that day is read; a temporary cutoff table
    carries each sample's boundary dates so every grouped query runs once for all
    samples. ``horizon_days`` alone is one lead time. A sample is left out when its cutoff
    falls before the store has ``MIN_HISTORY_DAYS`` of usage (its features would be empty
    for lack of history, not for lack of use, and a model would learn "no data means
    renewal") or before the contract started (the renewal ahead would be another one).
    """
    leads = sorted(set(lead_days or ())) or [horizon_days or 60]
    outcomes = renewal_outcomes(session=session, before=before)
    first_usage = usage_history_start(session=session)
    earliest = (
        pd.Timestamp(first_usage + timedelta(days=MIN_HISTORY_DAYS - 1))
        if first_usage is not None
        else None
    )
    samples = []
    for lead in leads:
        cutoff = outcomes["end_date"] - pd.Timedelta(days=lead)
        keep = cutoff > outcomes["start_date"]
        if earliest is not None:
            keep &= cutoff > earliest
        samples.append(outcomes[keep].assign(lead_days=lead, cutoff=cutoff[keep]))
    picked = pd.concat(samples, ignore_index=True) if samples else outcomes.iloc[:0]
    picked = picked.sort_values(["end_date", "contract_id", "lead_days"], kind="stable")
    picked = picked.reset_index(drop=True)
    cutoff_dates = picked["cutoff"].dt.date if len(picked) else pd.Series(dtype="object")
    cutoffs = _cutoff_table()
    connection = session.connection()
    cutoffs.drop(connection, checkfirst=True)
    cutoffs.create(connection)
    try:
        rows = [
            _cutoff_row(sample_id, account_id, cutoff)
            for sample_id, (account_id, cutoff) in enumerate(
                zip(picked["account_id"], cutoff_dates, strict=True)
            )
        ]
        if rows:
            connection.execute(insert(cutoffs), rows)
        a = _accounts.c
        base = _frame(
            session,
            select(
                cutoffs.c.sample_id,
                cutoffs.c.account_id,
                cutoffs.c.d0.label("as_of"),
                a.segment,
                a.currency,
                a.arr.label("account_arr"),
                a.licensed_seats,
                _raw(a.customer_since).label("customer_since"),
            )
            .select_from(cutoffs.join(_accounts, a.account_id == cutoffs.c.account_id))
            .order_by(cutoffs.c.sample_id),
        )
        scope = _CutoffTable(cutoffs)
        frame = _attach_parts(session, base, scope) if not base.empty else _with_part_columns(base)
    finally:
        cutoffs.drop(connection, checkfirst=True)
    if "sample_id" in frame.columns:
        frame = frame.set_index("sample_id").sort_index()
        picked = picked.loc[frame.index]
    return OutcomeAggregates(
        aggregates=frame.reset_index(drop=True),
        labels=(picked["status"] == "churned").astype(int).reset_index(drop=True),
        outcome_dates=picked["end_date"].reset_index(drop=True),
        contract_ids=picked["contract_id"].reset_index(drop=True),
        lead_days=picked["lead_days"].astype(int).reset_index(drop=True),
        account_ids=picked["account_id"].reset_index(drop=True),
    )


def _cutoff_table() -> Table:
    columns: list[Column[Any]] = [
        Column("sample_id", Integer, primary_key=True),
        Column("account_id", String(64), index=True),
    ]
    columns += [Column(f"d{days}", Date) for days in WINDOWS]
    columns += [Column(f"t{days}", UTCDateTime) for days in WINDOWS]
    return Table("csbot_scoring_cutoffs", MetaData(), *columns, prefixes=["TEMPORARY"])


def _cutoff_row(sample_id: int, account_id: str, cutoff: date) -> dict[str, Any]:
    row: dict[str, Any] = {"sample_id": sample_id, "account_id": account_id}
    for days in WINDOWS:
        day = cutoff - timedelta(days=days)
        row[f"d{days}"] = day
        row[f"t{days}"] = datetime.combine(day, time(), tzinfo=UTC)
    return row
