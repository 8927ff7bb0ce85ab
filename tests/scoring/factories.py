"""Synthetic aggregate rows for unit tests of the pure scoring package."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

AS_OF = date(2025, 6, 1)


def aggregate_row(account_id: str = "A1", **overrides: Any) -> dict[str, Any]:
    """A healthy-ish account with data in every component; override any column."""
    row: dict[str, Any] = {
        "account_id": account_id,
        "as_of": pd.Timestamp(AS_OF),
        "segment": "mid-market",
        "account_arr": 50_000.0,
        "licensed_seats": 50.0,
        "customer_since": pd.Timestamp("2022-01-15"),
        "has_usage": 400.0,
        "active_users_sum_30d": 30 * 35.0,
        "active_users_sum_prev_30d": 30 * 34.0,
        "logins_sum_30d": 30 * 40.0,
        "features_used_sum_30d": 30 * 5.0,
        "tickets_ever": 12.0,
        "tickets_30d": 1.0,
        "tickets_90d": 3.0,
        "tickets_prev_60d": 2.0,
        "csat_sum_90d": 13.0,
        "csat_count_90d": 3.0,
        "escalations_90d": 0.0,
        "open_urgent_tickets": 0.0,
        "ticket_sentiment_90d": None,
        "invoices_ever": 8.0,
        "invoices_due_365d": 4.0,
        "invoices_on_time_365d": 4.0,
        "failed_invoices_180d": 0.0,
        "first_failed_invoice_at": None,
        "contracts_ever": 2.0,
        "contract_arr": 50_000.0,
        "previous_contract_arr": 45_000.0,
        "contract_end_date": pd.Timestamp("2026-01-15"),
        "nps_latest": 9.0,
        "nps_latest_at": pd.Timestamp("2025-04-20"),
        "interactions_ever": 20.0,
        "last_interaction_at": pd.Timestamp("2025-05-20"),
        "last_champion_touch_at": pd.Timestamp("2025-05-20"),
        "last_executive_touch_at": pd.Timestamp("2025-03-01"),
    }
    row.update(overrides)
    return row


def aggregates(*rows: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(list(rows) or [aggregate_row()])


def bare_account(account_id: str = "EMPTY") -> dict[str, Any]:
    """An account with no usage, tickets, invoices, contracts, NPS or interactions."""
    return aggregate_row(
        account_id,
        has_usage=0.0,
        active_users_sum_30d=0.0,
        active_users_sum_prev_30d=0.0,
        logins_sum_30d=0.0,
        features_used_sum_30d=0.0,
        tickets_ever=0.0,
        tickets_30d=0.0,
        tickets_90d=0.0,
        tickets_prev_60d=0.0,
        csat_sum_90d=0.0,
        csat_count_90d=0.0,
        invoices_ever=0.0,
        invoices_due_365d=0.0,
        invoices_on_time_365d=0.0,
        contracts_ever=0.0,
        contract_arr=None,
        previous_contract_arr=None,
        contract_end_date=None,
        nps_latest=None,
        nps_latest_at=None,
        interactions_ever=0.0,
        last_interaction_at=None,
        last_champion_touch_at=None,
        last_executive_touch_at=None,
    )
