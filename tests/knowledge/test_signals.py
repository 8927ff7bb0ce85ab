"""Account signals from facts, and survey scores quoted in text."""

from __future__ import annotations

import pytest

from knowledge.signals import AccountFacts, derive_account_signals
from knowledge.text_signals import signals_from_text


def test_facts_turn_into_signals():
    facts = AccountFacts(
        days_as_customer=400,
        days_since_last_login=30,
        licensed_seats=100,
        peak_active_users_recent=95,
        health_band="red",
        health_score=40,
        health_score_30d_ago=70,
        days_to_contract_end=60,
        latest_nps_score=3,
        failed_or_overdue_invoices=1,
        active_champions=0,
    )
    assert derive_account_signals(facts) == {
        "low_usage",
        "seats_full",
        "health_red",
        "health_drop",
        "renewal_due",
        "nps_detractor",
        "payment_failed",
        "champion_left",
    }


def test_unknown_facts_fire_nothing():
    assert derive_account_signals(AccountFacts()) == frozenset()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NPS 3: support is slow", {"nps_detractor"}),
        ("10 - best tool we bought", {"nps_promoter"}),
        ("They gave us a 9 in the survey", {"nps_promoter"}),
        ("CSAT came back with a 1", {"nps_detractor"}),
        ("We got a 2 week delay on the export", set()),
        ("Acme renews in 60 days with 30 seats", set()),
    ],
)
def test_quoted_scores_become_signals(text, expected):
    assert signals_from_text(text) == expected
