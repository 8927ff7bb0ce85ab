"""Churn signals really precede churn — clearly, but not perfectly.

Scoring is validated on this history, so the generator must plant signals a model
can learn: usage falls, NPS sinks and tickets pile up in the months before an
account leaves, while renewed customers mostly looked fine before renewing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def history(year_demo):
    folder = year_demo.folder
    accounts = pd.read_csv(folder / "accounts.csv", parse_dates=["churned_at"])
    usage = pd.read_csv(
        folder / "usage_daily.csv",
        parse_dates=["date"],
        usecols=["account_id", "date", "active_users"],
    )
    nps = pd.read_csv(folder / "nps.csv", usecols=["account_id", "responded_at", "score"])
    nps["responded_at"] = pd.to_datetime(nps.responded_at).dt.tz_localize(None)
    tickets = pd.read_csv(
        folder / "tickets.csv", usecols=["account_id", "created_at", "category", "csat"]
    )
    tickets["created_at"] = pd.to_datetime(tickets.created_at).dt.tz_localize(None)
    contracts = pd.read_csv(folder / "contracts.csv", parse_dates=["end_date"])
    return accounts, usage, nps, tickets, contracts


def days_before(events: pd.DataFrame, column: str, anchors: pd.DataFrame) -> pd.DataFrame:
    """Events joined to an anchor date per account, with how many days before it they fell."""
    joined = events.merge(anchors, on="account_id")
    joined["days_before"] = (joined.anchor - joined[column]).dt.total_seconds() / 86_400
    return joined[joined.days_before > 0]


def churn_anchors(accounts: pd.DataFrame, usage: pd.DataFrame, min_history: int) -> pd.DataFrame:
    window_start = usage.date.min()
    churned = accounts[
        (accounts.status == "churned")
        & (accounts.churned_at >= window_start + pd.Timedelta(days=min_history))
    ]
    return churned[["account_id", "churned_at"]].rename(columns={"churned_at": "anchor"})


def test_usage_drops_in_the_60_days_before_churn(history):
    accounts, usage, *_ = history
    joined = days_before(usage, "date", churn_anchors(accounts, usage, 180))
    late = joined[joined.days_before <= 60].groupby("account_id").active_users.mean()
    early = (
        joined[joined.days_before.between(120, 180, inclusive="left")]
        .groupby("account_id")
        .active_users.mean()
    )
    ratios = (late / early[early > 0]).dropna().to_numpy()
    assert len(ratios) >= 30
    assert np.median(ratios) < 0.8
    assert (ratios < 0.9).mean() >= 0.65
    assert (ratios >= 0.9).mean() >= 0.05, "some churners gave little warning (noise)"


def test_nps_before_churn_is_lower_than_before_renewal(history):
    accounts, usage, nps, _, contracts = history
    churned = accounts[accounts.status == "churned"][["account_id", "churned_at"]]
    before_churn = days_before(
        nps, "responded_at", churned.rename(columns={"churned_at": "anchor"})
    )
    before_churn = before_churn[before_churn.days_before <= 120]
    renewed = contracts[(contracts.status == "renewed") & (contracts.end_date > usage.date.min())]
    anchors = renewed[["account_id", "end_date"]].rename(columns={"end_date": "anchor"})
    before_renewal = days_before(nps, "responded_at", anchors)
    before_renewal = before_renewal[before_renewal.days_before <= 120]
    assert len(before_churn) >= 50 and len(before_renewal) >= 100
    assert before_churn.score.mean() < before_renewal.score.mean() - 1.0
    assert (before_renewal.score <= 6).mean() > 0.05, "some renewed accounts looked bad"


def test_tickets_get_more_frequent_and_more_negative_before_churn(history):
    accounts, usage, _, tickets, _ = history
    joined = days_before(tickets, "created_at", churn_anchors(accounts, usage, 180))
    late = joined[joined.days_before <= 60]
    early = joined[joined.days_before.between(120, 180, inclusive="left")]
    assert len(late) > 1.3 * len(early)
    exit_talk = ["cancellation", "competitor"]
    assert late.category.isin(exit_talk).mean() > 2 * early.category.isin(exit_talk).mean()
    assert late.csat.mean() < early.csat.mean()
