"""Drivers quote real numbers: checked against the store with independent queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot.db.models import Invoice, UsageDaily
from bot.db.session import make_session_factory, unit_of_work
from bot.services.health.runs import score_portfolio
from tests.scoring.store import AS_OF, seed_small_portfolio


@pytest.fixture
def scored(services):
    with unit_of_work(services.session_factory) as session:
        seed_small_portfolio(session)
    run = score_portfolio(services, AS_OF, train_if_missing=False)
    drivers = run.portfolio.drivers
    return services, {a: list(g["text"]) for a, g in drivers.groupby("account_id")}


def test_usage_trend_driver_matches_the_usage_rows(scored):
    services, texts = scored
    factory = make_session_factory(services.engine)
    with unit_of_work(factory) as session:

        def users(start: date, end: date) -> float:
            return session.scalar(
                select(func.sum(UsageDaily.active_users)).where(
                    UsageDaily.account_id == "SLIDING",
                    UsageDaily.date >= start,
                    UsageDaily.date < end,
                )
            )

        last = users(AS_OF - timedelta(days=30), AS_OF)
        prior = users(AS_OF - timedelta(days=60), AS_OF - timedelta(days=30))
    change = round(abs(last - prior) / prior * 100)
    assert change == 42
    assert f"active users down {change}% vs the prior 30 days" in texts["SLIDING"]


def test_failed_invoice_driver_matches_the_invoice_rows(scored):
    services, texts = scored
    with unit_of_work(make_session_factory(services.engine)) as session:
        failed = session.execute(
            select(func.count(), func.min(Invoice.issued_at)).where(
                Invoice.account_id == "SLIDING",
                Invoice.status == "failed",
                Invoice.issued_at >= AS_OF - timedelta(days=180),
                Invoice.issued_at < AS_OF,
            )
        ).one()
    count, first = failed
    assert (count, first) == (2, date(2025, 5, 3))
    assert f"{count} failed or overdue invoices since May 3" in texts["SLIDING"]


def test_seat_and_nps_drivers_match_the_store(scored):
    _services, texts = scored
    assert (
        "40.0 of 50 licensed seats active on average over the last 30 days (80%)"
        in texts["HEALTHY"]
    )
    assert "latest NPS 3 (detractor) on May 10" in texts["SLIDING"]  # not the June 3 answer
