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


def parse_date_window(text: str, today: date) -> DateWindow | None:
    """The first date phrase in ``text`` as a window, or ``None`` when there is none.

    Args:
        text: the question, any case.
        today: the asker's today (in the configured time zone).
    """
    lowered = text.lower()
    named = _NAMED.search(lowered)
    relative = _RELATIVE.search(lowered)
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
