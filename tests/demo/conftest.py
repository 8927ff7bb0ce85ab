"""Demo folders generated once per test session (generation is the slow part)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.sources.demo import DemoConfig, DemoSummary, generate_demo

END_DATE = date(2025, 6, 30)
SMALL = DemoConfig(end_date=END_DATE, accounts=60, days=120, seed=7)
YEAR = DemoConfig(end_date=END_DATE, accounts=400, days=365, seed=42)


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> DemoSummary:
    return generate_demo(SMALL, tmp_path_factory.mktemp("small") / "demo")


@pytest.fixture(scope="session")
def year_demo(tmp_path_factory: pytest.TempPathFactory) -> DemoSummary:
    """A year of history for 400 accounts: enough churn to measure signals on."""
    return generate_demo(YEAR, tmp_path_factory.mktemp("year") / "demo")
