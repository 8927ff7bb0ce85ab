"""Run tests on other calendar days than today, so no result depends on the day CI runs.

Two tools, both built on ``time-machine`` (the real clock moves on from the chosen
instant, so timeouts, signatures and sleeps behave as usual):

* ``pytest --today=2028-02-29`` (or ``--today=2027-12-31T23:50`` for a time of day, in
  UTC) moves the whole session to that instant before any test module is imported. Running the suite at a few such days is how the tests
  whose outcome depended on the real date were found.
* ``@pytest.mark.any_date`` runs one test at each of :data:`SAMPLE_DAYS` — a Monday, a
  Sunday, a month end, a leap day and a year end — plus the real today. Every test that
  was found to depend on the calendar carries it, so the suite itself proves that it
  passes on any of those days.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time

import pytest
import time_machine

SAMPLE_DAYS: tuple[date, ...] = (
    date(2027, 3, 1),  # a Monday
    date(2027, 2, 28),  # a Sunday (and the last day of a non-leap February)
    date(2027, 4, 30),  # a month end
    date(2028, 2, 29),  # a leap day
    date(2027, 12, 31),  # a year end
)
"""The days an ``any_date`` test runs on, besides the real today."""

_TIME_OF_DAY = time(9, 30, tzinfo=UTC)
"""Mid-morning UTC: the same local day in every timezone the tests configure."""

_session_travel: time_machine.travel | None = None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--today",
        metavar="YYYY-MM-DD[THH:MM]",
        default=None,
        help="run the whole session as if now were this day (09:30 UTC unless a time is given)"
        " or instant (UTC), with time-machine and the clock ticking",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "any_date: the test ran differently on different days; run it on several frozen days",
    )
    config.addinivalue_line(
        "markers",
        "real_clock: signs requests for a server in another process, whose clock cannot travel",
    )
    today = config.getoption("--today")
    if today:
        global _session_travel
        _session_travel = time_machine.travel(_session_instant(today), tick=True)
        _session_travel.start()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--today"):
        return
    skip = pytest.mark.skip(reason="--today moves this process's clock, not the server's")
    for item in items:
        if item.get_closest_marker("real_clock") is not None:
            item.add_marker(skip)


def pytest_unconfigure(config: pytest.Config) -> None:
    global _session_travel
    if _session_travel is not None:
        _session_travel.stop()
        _session_travel = None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("any_date") is None:
        return
    days: list[date | None] = [None, *SAMPLE_DAYS]
    metafunc.fixturenames.insert(0, "_on_day")
    metafunc.parametrize(
        "_on_day",
        days,
        ids=["today" if day is None else day.isoformat() for day in days],
        indirect=True,
    )


@pytest.fixture
def _on_day(request: pytest.FixtureRequest) -> Iterator[date | None]:
    """Travel to the parametrised day for the whole test, fixtures included."""
    day: date | None = request.param
    if day is None:
        yield None
        return
    with time_machine.travel(_instant(day), tick=True):
        yield day


def _instant(day: date) -> datetime:
    return datetime.combine(day, _TIME_OF_DAY)


def _session_instant(value: str) -> datetime:
    """``YYYY-MM-DD`` at :data:`_TIME_OF_DAY`, or ``YYYY-MM-DDTHH:MM`` read as UTC."""
    if "T" not in value:
        return _instant(date.fromisoformat(value))
    return datetime.fromisoformat(value).replace(tzinfo=UTC)
