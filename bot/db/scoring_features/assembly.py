"""Runs the feature-family queries and joins their parts onto the base rows.

Reading raw cursor rows and aligning all parts in one concat is where the time of a
20,000-account score goes, so it is kept in one place for both entry points
(one date, or a cutoff per training sample).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from bot.db.scoring_features.activity import (
    _churn_intent_query,
    _open_urgent_query,
    _ticket_history_query,
    _ticket_query,
    _ticket_sentiment_query,
    _usage_history_query,
    _usage_query,
)
from bot.db.scoring_features.commercial import (
    _contract_query,
    _interaction_query,
    _invoice_query,
    _nps_query,
)
from bot.db.scoring_features.scope import _accounts, _active_on, _raw, _Scope

_PART_QUERIES = (
    _usage_query,
    _usage_history_query,
    _ticket_query,
    _ticket_history_query,
    _open_urgent_query,
    _ticket_sentiment_query,
    _churn_intent_query,
    _invoice_query,
    _contract_query,
    _nps_query,
    _interaction_query,
)


def _frame(session: Session, statement: Select[Any]) -> pd.DataFrame:
    """Rows as the driver returns them, to a frame column by column.

    SQLAlchemy still binds and converts the parameters (so dates compare in the stored
    format), but the rows are read straight from the DBAPI cursor: per-row result
    processing cost more than the aggregate queries themselves at 20,000 accounts.
    Values stay raw (dates as text on SQLite, Decimals on PostgreSQL);
    ``scoring.measures.normalise_aggregates`` coerces whole columns.
    """
    result = session.execute(statement)
    keys = list(result.keys())
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    if not rows:
        return pd.DataFrame({key: pd.Series(dtype="object") for key in keys})
    columns = zip(*rows, strict=True)
    return pd.DataFrame({key: list(values) for key, values in zip(keys, columns, strict=True)})


def _attach_parts(session: Session, base: pd.DataFrame, scope: _Scope) -> pd.DataFrame:
    parts = [_frame(session, build(scope)) for build in _PART_QUERIES]
    return _merge_parts(base, parts, scope)


def _merge_parts(base: pd.DataFrame, parts: list[pd.DataFrame], scope: _Scope) -> pd.DataFrame:
    """Left-join every part onto the base rows by key, in one aligned concat."""
    keys = pd.Index(base[scope.key_name])
    aligned = [part.set_index("key").reindex(keys) for part in parts]
    joined = pd.concat([base.set_index(keys), *aligned], axis=1)
    return joined.reset_index(drop=True)


def _account_base_query(as_of: date, account_ids: Sequence[str] | None = None) -> Select[Any]:
    a = _accounts.c
    query = select(
        a.account_id,
        a.segment,
        a.currency,
        a.arr.label("account_arr"),
        a.licensed_seats,
        _raw(a.customer_since).label("customer_since"),
    ).where(_active_on(as_of))
    if account_ids is not None:
        query = query.where(a.account_id.in_(list(account_ids)))
    return query.order_by(a.account_id)


_PART_COLUMNS: tuple[str, ...] = (
    "has_usage",
    "active_users_sum_30d",
    "active_users_sum_prev_30d",
    "logins_sum_30d",
    "features_used_sum_30d",
    "tickets_ever",
    "tickets_30d",
    "tickets_90d",
    "tickets_prev_60d",
    "csat_sum_90d",
    "csat_count_90d",
    "escalations_90d",
    "open_urgent_tickets",
    "ticket_sentiment_90d",
    "churn_intent_tickets_90d",
    "invoices_ever",
    "invoices_due_365d",
    "invoices_on_time_365d",
    "failed_invoices_180d",
    "first_failed_invoice_at",
    "contracts_ever",
    "contract_arr",
    "previous_contract_arr",
    "contract_end_date",
    "nps_latest",
    "nps_latest_at",
    "interactions_ever",
    "last_interaction_at",
    "last_champion_touch_at",
    "last_executive_touch_at",
)


def _with_part_columns(base: pd.DataFrame) -> pd.DataFrame:
    frame = base.copy()
    for column in _PART_COLUMNS:
        frame[column] = pd.Series(dtype="float64")
    return frame
