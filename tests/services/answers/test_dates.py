"""Date phrases become the windows people mean, relative to their today."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.answers.dates import parse_date_window

MONDAY = date(2025, 6, 16)


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("renewals in 60 days", MONDAY, date(2025, 8, 15), "the next 60 days"),
        ("renewals in the next 90 days", MONDAY, date(2025, 9, 14), "the next 90 days"),
        ("within 30 days", MONDAY, date(2025, 7, 16), "the next 30 days"),
        ("over the next two weeks", MONDAY, date(2025, 6, 30), "the next 2 weeks"),
        ("in 6 months", MONDAY, date(2025, 12, 16), "the next 6 months"),
        ("next quarter", date(2025, 7, 1), date(2025, 9, 30), "next quarter (Q3 2025)"),
        ("this quarter", MONDAY, date(2025, 6, 30), "this quarter (Q2)"),
        ("this month", MONDAY, date(2025, 6, 30), "this month"),
        ("next month", date(2025, 7, 1), date(2025, 7, 31), "July 2025"),
        ("this week", MONDAY, date(2025, 6, 22), "this week"),
        ("next week", date(2025, 6, 23), date(2025, 6, 29), "next week"),
        ("by end of year", MONDAY, date(2025, 12, 31), "the rest of this year"),
        ("in Q4", date(2025, 10, 1), date(2025, 12, 31), "Q4 2025"),
        ("in Q1", date(2026, 1, 1), date(2026, 3, 31), "Q1 2026"),  # Q1 2025 is over
    ],
)
def test_phrase_becomes_window(text: str, start: date, end: date, label: str) -> None:
    window = parse_date_window(text, MONDAY)
    assert window is not None
    assert (window.start, window.end, window.label) == (start, end, label)
    assert window.matched.strip() in text.lower()


def test_next_quarter_at_year_end_rolls_into_next_year() -> None:
    window = parse_date_window("next quarter", date(2025, 11, 20))
    assert window is not None
    assert (window.start, window.end) == (date(2026, 1, 1), date(2026, 3, 31))


@pytest.mark.parametrize("text", ["how is acme doing", "renewals", "in 0 days", "in 9999 days"])
def test_no_window_when_there_is_no_sensible_phrase(text: str) -> None:
    assert parse_date_window(text, MONDAY) is None
