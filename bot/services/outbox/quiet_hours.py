"""Quiet hours in the team's time zone: alerts planned inside them wait for the morning."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.settings import parse_clock


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily window ``start``–``end`` (may wrap midnight, e.g. 20:00–08:00)."""

    start: time
    end: time
    tz: ZoneInfo

    @classmethod
    def parse(cls, text: str | None, tz: ZoneInfo) -> QuietHours | None:
        if not text:
            return None
        start_text, _, end_text = text.partition("-")
        start, end = parse_clock(start_text), parse_clock(end_text)
        if start == end:
            return None
        return cls(time(*start), time(*end), tz)

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def release_time(self, moment: datetime) -> datetime:
        """``moment`` itself outside quiet hours, else when they end (aware, same zone)."""
        if not self.contains(moment):
            return moment
        local = moment.astimezone(self.tz)
        candidate = datetime.combine(local.date(), self.end, tzinfo=self.tz)
        if candidate <= local:
            candidate = datetime.combine(local.date() + timedelta(days=1), self.end, tzinfo=self.tz)
        return candidate.astimezone(moment.tzinfo)
