"""How demo rows are spelled: contract column order, dates, timestamps, money, ids.

Every producer emits plain lists of already-formatted cells in the contract's column
order (taken from the importer's own contract description, so the two can never
drift apart) and hands them to a :class:`RowSink`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol

from bot.sources.importer.contract import CONTRACT

COLUMNS: dict[str, tuple[str, ...]] = {
    spec.table: tuple(column.name for column in spec.columns) for spec in CONTRACT
}
TABLES: tuple[str, ...] = tuple(COLUMNS)

Cell = str | int | float | None


class RowSink(Protocol):
    def add(self, table: str, row: list[Cell]) -> None: ...


class Clock:
    """Turns window day numbers (0 = start date) into contract date and date-time text."""

    def __init__(self, start: date, days: int) -> None:
        self.start = start
        self.days = days
        self._window = [(start + timedelta(days=d)).isoformat() for d in range(days)]

    def day(self, day: int) -> str:
        if 0 <= day < self.days:
            return self._window[day]
        return (self.start + timedelta(days=int(day))).isoformat()

    def date_of(self, day: int) -> date:
        return self.start + timedelta(days=int(day))

    def day_of(self, value: date) -> int:
        return (value - self.start).days

    def stamp(self, day: int, seconds: int) -> str:
        """UTC date-time; the explicit ``Z`` keeps readers from guessing the zone."""
        seconds = min(max(int(seconds), 0), 86_399)
        hours, rest = divmod(seconds, 3600)
        return f"{self.day(day)}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}Z"


class Ids:
    """Sequential keys with a readable prefix: TKT-0000001, TKT-0000002, …"""

    def __init__(self, prefix: str, width: int) -> None:
        self._prefix = prefix
        self._width = width
        self._next = 1

    def __call__(self) -> str:
        value = f"{self._prefix}-{self._next:0{self._width}d}"
        self._next += 1
        return value


def flag(value: bool) -> str:
    return "true" if value else "false"


def money(value: float) -> str:
    return f"{value:.2f}"
