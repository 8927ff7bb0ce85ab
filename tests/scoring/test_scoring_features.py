"""Grouped SQL aggregates on SQLite and PostgreSQL: exact figures, point-in-time reads."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from bot.db.scoring_features import account_aggregates, outcome_aggregates
from bot.db.session import make_session_factory, unit_of_work
from tests.scoring.store import AS_OF, add_contract, add_usage, seed_small_portfolio


@pytest.fixture
def seeded(engine):
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        seed_small_portfolio(session)
    return factory


def test_aggregates_match_the_rows_before_as_of(seeded):
    with unit_of_work(seeded) as session:
        frame = account_aggregates(session=session, as_of=AS_OF).set_index("account_id")
    assert sorted(frame.index) == ["BARE", "HEALTHY", "SLIDING"]  # GONE churned before as_of
    sliding = frame.loc["SLIDING"]
    assert sliding["has_usage"] == 1
    assert (
        sliding["active_users_sum_30d"] == 29 * 30
    )  # the 6 rows on/after as_of (500 users) unread
    assert sliding["active_users_sum_prev_30d"] == 50 * 30
    assert sliding["failed_invoices_180d"] == 2  # the June 2 failure is after as_of
    assert pd.Timestamp(sliding["first_failed_invoice_at"]).date() == date(2025, 5, 3)
    assert sliding["open_urgent_tickets"] == 1 and sliding["csat_count_90d"] == 1
    assert sliding["nps_latest"] == 3  # the June 3 answer of 10 is after as_of
    assert sliding["contract_arr"] == 50000 and pd.isna(sliding["previous_contract_arr"])
    healthy = frame.loc["HEALTHY"]
    assert healthy["previous_contract_arr"] == 40000 and healthy["invoices_on_time_365d"] == 2
    assert pd.notna(healthy["last_executive_touch_at"])  # a QBR with a decision maker
    bare = frame.loc["BARE"]
    assert pd.isna(bare["has_usage"]) and pd.isna(bare["tickets_ever"])


def test_an_account_that_churned_later_was_active_on_an_earlier_day(seeded):
    with unit_of_work(seeded) as session:
        early = account_aggregates(session=session, as_of=date(2025, 1, 1))
    assert "GONE" in set(early["account_id"])


def test_outcome_features_are_taken_a_horizon_before_each_outcome(seeded):
    with unit_of_work(seeded) as session:
        add_contract(
            session,
            "K-G1",
            "GONE",
            start=date(2024, 1, 10),
            end=date(2025, 1, 10),
            arr="30000",
            status="churned",
        )
        add_usage(
            session, "GONE", end=date(2025, 1, 10), days=200, active_users=[10] * 110 + [99] * 90
        )
    with unit_of_work(seeded) as session:
        outcomes = outcome_aggregates(session=session, before=AS_OF, horizon_days=90)
    frame = outcomes.aggregates.assign(label=outcomes.labels, contract=outcomes.contract_ids)
    gone = frame[frame["contract"] == "K-G1"].iloc[0]
    assert gone["label"] == 1
    assert pd.Timestamp(gone["as_of"]).date() == date(2024, 10, 12)
    # 200 daily rows ending 2025-01-09; only those before 2024-10-12 (10 users a day, not
    # the 99 of the last 90 days) are visible at the cutoff.
    assert gone["has_usage"] == 1
    assert gone["active_users_sum_30d"] == 10 * 30 and gone["active_users_sum_prev_30d"] == 10 * 30
    # K-H0 renewed on 2024-01-01, before the store had any usage: its features would be
    # empty for lack of history, so it is not a training outcome at all.
    assert "K-H0" not in set(frame["contract"])


def test_ticket_sentiment_counts_once_the_knowledge_side_has_scored_tickets(seeded):
    from bot.db.models import TextSentiment

    with unit_of_work(seeded) as session:
        for ticket_id, score in (("T-S1", -0.6), ("T-S2", -0.2)):
            session.add(
                TextSentiment(
                    source="ticket",
                    source_id=ticket_id,
                    account_id="SLIDING",
                    content_hash=ticket_id,
                    score=score,
                    label="negative",
                    model="vader",
                )
            )
    with unit_of_work(seeded) as session:
        frame = account_aggregates(session=session, as_of=AS_OF).set_index("account_id")
    assert frame.loc["SLIDING", "ticket_sentiment_90d"] == pytest.approx(-0.4)
    assert pd.isna(frame.loc["HEALTHY", "ticket_sentiment_90d"])


def test_concurrent_aggregation_gives_the_same_frame_as_one_session(seeded):
    from bot.db.scoring_features import account_aggregates_concurrently

    with unit_of_work(seeded) as session:
        one = account_aggregates(session=session, as_of=AS_OF)
    spread = account_aggregates_concurrently(session_factory=seeded, as_of=AS_OF)
    pd.testing.assert_frame_equal(one, spread)
