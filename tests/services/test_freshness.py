"""Source freshness: what "data as of" means for each source."""

from __future__ import annotations

from datetime import timedelta

from bot.db.queries.records import SourceFreshness
from tests.services.qa_world import NOW


def test_data_is_never_newer_than_its_load() -> None:
    """Contracts' newest date is an end date in the future; the data is as of the load."""
    contracts = SourceFreshness(
        source="contracts",
        last_loaded_at=NOW,
        data_as_of=NOW + timedelta(days=300),
        rows_loaded=10,
    )
    assert contracts.as_of == NOW


def test_newest_record_dates_the_data_and_load_time_stands_in_without_one() -> None:
    usage = SourceFreshness("usage_daily", NOW, NOW - timedelta(days=2), 10)
    assert usage.as_of == NOW - timedelta(days=2)
    assert SourceFreshness("csms", NOW, None, 3).as_of == NOW
