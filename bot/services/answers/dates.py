"""Date phrases in questions ("next quarter", "in 60 days", "this month") as date windows.

Windows are forward-looking from ``today`` because the questions that carry
them ("renewals next quarter") look ahead; both ends are included. Weeks run
Monday to Sunday, quarters are calendar quarters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

MAX_DAYS = 3 * 366  # "in 5000 days" is a typo, not a question


@dataclass(frozen=True, slots=True)
class DateWindow:
    start: date
    end: date
    label: str
    matched: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _month_end(day: date) -> date:
    return day + relativedelta(day=31)


_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
_NUMBER_WORDS = {
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
}
_COUNT = r"(\d{1,4}|" + "|".join(_NUMBER_WORDS) + r")"
_RELATIVE = re.compile(
    r"\b(?:(?:with)?in|next|over|coming|upcoming|ahead|the|of)?\s*(?:the\s+)?(?:next\s+|coming\s+)?"
    + _COUNT
    + r"\s*-?\s*(days?|d|weeks?|wks?|months?|mos?|years?)\b(?:\s+(?:ahead|out|from now))?"
)
_NAMED = re.compile(
    r"\b(?:(this|next|current|the\s+next|the\s+current|end\s+of\s+(?:the\s+)?)\s*"
    r"(week|month|quarter|qtr|year)|(q[1-4])(?:\s+(\d{4}))?|end\s+of\s+(?:the\s+)?year|"
    r"year[-\s]end|eoy|eoq|end\s+of\s+(?:the\s+)?quarter)\b"
)


def _unit(token: str) -> str:
    if token.startswith("d"):
        return "day"
    if token.startswith("w"):
        return "week"
    if token.startswith("m"):
        return "month"
    return "year"


MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# "may" is a month only with a preposition or a year ("in May", "May 2026").
_MONTH = re.compile(
    r"\b(?:(?:in|for|during|of|by|throughout)\s+)?("
    + "|".join(m for m in MONTHS if m != "may")
    + r")(?:\s+(\d{4}))?\b|\b(?:in|for|during|of|by)\s+(may)(?:\s+(\d{4}))?\b"
    r"|\b(may)\s+(\d{4})\b"
)


def _month_phrase(lowered: str) -> tuple[int, int | None, str] | None:
    found = _MONTH.search(lowered)
    if not found:
        return None
    groups = found.groups()
    name = groups[0] or groups[2] or groups[4]
    year = groups[1] or groups[3] or groups[5]
    return MONTHS.index(name) + 1, int(year) if year else None, found.group(0)


def parse_date_window(text: str, today: date) -> DateWindow | None:
    """The first date phrase in ``text`` as a window, or ``None`` when there is none.

    A month name ("renewals in January") is the next such month: the current one
    from today, else the coming one.

    Args:
        text: the question, any case.
        today: the asker's today (in the configured time zone).
    """
    lowered = text.lower()
    month = _month_phrase(lowered)
    if month is not None:
        number, year, phrase = month
        if year is None:
            year = today.year if number >= today.month else today.year + 1
        first = date(year, number, 1)
        return DateWindow(max(first, today), _month_end(first), first.strftime("%B %Y"), phrase)
    named = _NAMED.search(lowered)
    relative = _RELATIVE.search(lowered)
    if relative and lowered[: relative.start()].rstrip().endswith(("last", "past")):
        relative = None  # "the last 30 days" looks back: see parse_past_window
    if relative and (named is None or relative.start() <= named.start()):
        count_text, unit_text = relative.group(1), relative.group(2)
        count = int(count_text) if count_text.isdigit() else _NUMBER_WORDS[count_text]
        unit = _unit(unit_text)
        if unit == "month":
            end = today + relativedelta(months=count)
        elif unit == "year":
            end = today + relativedelta(years=count)
        else:
            end = today + timedelta(days=count * _UNIT_DAYS[unit])
        if count <= 0 or (end - today).days > MAX_DAYS:
            return None
        plural = "" if count == 1 else "s"
        return DateWindow(today, end, f"the next {count} {unit}{plural}", relative.group(0))
    if named is None:
        return None
    return _named_window(named, today)


def _named_window(match: re.Match[str], today: date) -> DateWindow | None:
    phrase = match.group(0)
    which, unit, quarter, year = match.group(1), match.group(2), match.group(3), match.group(4)
    if quarter:
        number = int(quarter[1])
        start = date(int(year) if year else today.year, 3 * (number - 1) + 1, 1)
        end = start + relativedelta(months=3) - timedelta(days=1)
        if end < today and not year:
            start, end = start + relativedelta(years=1), end + relativedelta(years=1)
        return DateWindow(max(start, today), end, f"Q{number} {start.year}", phrase)
    if unit is None:  # end of year / end of quarter forms
        if "quarter" in phrase or phrase == "eoq":
            unit, which = "quarter", "this"
        else:
            unit, which = "year", "this"
    unit = "quarter" if unit == "qtr" else unit
    upcoming = which is not None and "next" in which and "end" not in which
    if unit == "week":
        monday = today - timedelta(days=today.weekday())
        if upcoming:
            monday += timedelta(days=7)
            return DateWindow(monday, monday + timedelta(days=6), "next week", phrase)
        return DateWindow(today, monday + timedelta(days=6), "this week", phrase)
    if unit == "month":
        if upcoming:
            first = today.replace(day=1) + relativedelta(months=1)
            return DateWindow(first, _month_end(first), first.strftime("%B %Y"), phrase)
        return DateWindow(today, _month_end(today), "this month", phrase)
    if unit == "quarter":
        start = _quarter_start(today)
        if upcoming:
            start += relativedelta(months=3)
            end = start + relativedelta(months=3) - timedelta(days=1)
            label = f"next quarter (Q{(start.month - 1) // 3 + 1} {start.year})"
            return DateWindow(start, end, label, phrase)
        end = start + relativedelta(months=3) - timedelta(days=1)
        return DateWindow(today, end, f"this quarter (Q{(start.month - 1) // 3 + 1})", phrase)
    if upcoming:
        start = date(today.year + 1, 1, 1)
        return DateWindow(start, date(today.year + 1, 12, 31), str(start.year), phrase)
    return DateWindow(today, date(today.year, 12, 31), "the rest of this year", phrase)


_PAST = re.compile(
    r"\b(?:(last|past|previous|prior|this|current)\s+(week|month|quarter|qtr|year)"
    r"|(?:in\s+)?the\s+(?:last|past)\s+" + _COUNT + r"\s*(days?|weeks?|months?|years?)"
    r"|(?:last|past)\s+" + _COUNT + r"\s*(days?|weeks?|months?|years?)"
    r"|ytd|year to date|so far this year)\b"
)


def parse_past_window(text: str, today: date) -> DateWindow | None:
    """A window that looks back ("churned last quarter", "in January", "this year so far").

    "this quarter" here is the quarter's start up to today; "last month" is the
    previous calendar month; a month name is its most recent occurrence up to today.
    """
    lowered = text.lower()
    month = _month_phrase(lowered)
    if month is not None:
        number, year, phrase = month
        if year is None:
            year = today.year if number <= today.month else today.year - 1
        first = date(year, number, 1)
        return DateWindow(first, min(_month_end(first), today), first.strftime("%B %Y"), phrase)
    found = _PAST.search(lowered)
    if not found:
        return None
    phrase = found.group(0)
    which, unit = found.group(1), found.group(2)
    if which is None:
        count_text = found.group(3) or found.group(5)
        unit_text = found.group(4) or found.group(6)
        if count_text is None:  # ytd
            return DateWindow(date(today.year, 1, 1), today, "this year so far", phrase)
        count = int(count_text) if count_text.isdigit() else _NUMBER_WORDS[count_text]
        kind = _unit(unit_text)
        start = (
            today - relativedelta(months=count)
            if kind == "month"
            else today - relativedelta(years=count)
            if kind == "year"
            else today - timedelta(days=count * _UNIT_DAYS[kind])
        )
        plural = "" if count == 1 else "s"
        return DateWindow(start, today, f"the last {count} {kind}{plural}", phrase)
    unit = "quarter" if unit == "qtr" else unit
    current = which in ("this", "current")
    if unit == "week":
        monday = today - timedelta(days=today.weekday())
        if current:
            return DateWindow(monday, today, "this week", phrase)
        return DateWindow(
            monday - timedelta(days=7), monday - timedelta(days=1), "last week", phrase
        )
    if unit == "month":
        first = today.replace(day=1)
        if current:
            return DateWindow(first, today, "this month", phrase)
        previous = first - relativedelta(months=1)
        return DateWindow(previous, first - timedelta(days=1), previous.strftime("%B %Y"), phrase)
    if unit == "quarter":
        start = _quarter_start(today)
        if current:
            return DateWindow(start, today, f"this quarter (Q{(start.month - 1) // 3 + 1})", phrase)
        previous = start - relativedelta(months=3)
        label = f"last quarter (Q{(previous.month - 1) // 3 + 1} {previous.year})"
        return DateWindow(previous, start - timedelta(days=1), label, phrase)
    if current:
        return DateWindow(date(today.year, 1, 1), today, "this year so far", phrase)
    return DateWindow(
        date(today.year - 1, 1, 1), date(today.year - 1, 12, 31), str(today.year - 1), phrase
    )
