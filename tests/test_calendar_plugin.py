"""The any_date marker really moves the clock, so the tests that carry it prove something."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.db.base import utcnow
from tests.support.calendar import SAMPLE_DAYS


@pytest.mark.any_date
def test_an_any_date_test_sees_its_day(_on_day: date | None) -> None:
    expected = _on_day or datetime.now(UTC).date()
    assert utcnow().date() == expected
    assert date.today() == expected


def test_the_sample_days_cover_the_awkward_ones() -> None:
    weekdays = {day.weekday() for day in SAMPLE_DAYS}
    assert {0, 6} <= weekdays  # a Monday and a Sunday
    assert date(2028, 2, 29) in SAMPLE_DAYS
    assert any(day.month == 12 and day.day == 31 for day in SAMPLE_DAYS)
