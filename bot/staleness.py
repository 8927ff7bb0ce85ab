"""When a source counts as stale: the one rule the answers, ``csbot status`` and alerts share.

Staleness is about the *feed*, not the data: a source is stale when it has not been
loaded (or synced) for longer than that source is expected to take between loads.
How old its newest row is says nothing about that — NPS responses and invoices
arrive rarely, so a freshly synced NPS table whose newest response is a week old is
perfectly current. The newest row's age is shown to the reader, never flagged.

Pure: no SQL, no settings import (``bot.settings`` builds a :class:`StalenessRule`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

KNOWN_SOURCES: tuple[str, ...] = (
    "csms",
    "accounts",
    "contacts",
    "contracts",
    "usage_daily",
    "tickets",
    "invoices",
    "nps",
    "interactions",
    "opportunities",
)
"""The data-contract sources (the tables ``csbot import`` loads)."""

SOURCE_ALIASES: dict[str, str] = {"nps_responses": "nps"}
"""Other names people use for a source in ``CSBOT_STALE_AFTER_HOURS_BY_SOURCE``."""

RARE_SOURCE_HOURS: dict[str, float] = {"nps": 720.0, "invoices": 720.0}
"""Sources that arrive rarely (survey waves, monthly billing): 30 days between loads
is normal for them, so CSBOT_STALE_AFTER_HOURS would flag them all the time."""


class FeedState(StrEnum):
    FRESH = "fresh"
    STALE = "stale"
    NEVER_LOADED = "never_loaded"


@dataclass(frozen=True, slots=True)
class FeedCheck:
    """One source judged against its expectation at ``now``."""

    source: str
    state: FeedState
    expected_hours: float
    since_load: timedelta | None

    @property
    def stale(self) -> bool:
        return self.state is not FeedState.FRESH


@dataclass(frozen=True, slots=True)
class StalenessRule:
    """Expected hours between loads: per-source overrides, rare-source defaults, the default."""

    default_hours: float
    overrides: dict[str, float] = field(default_factory=dict)

    def expected_hours(self, source: str) -> float:
        if source in self.overrides:
            return self.overrides[source]
        return RARE_SOURCE_HOURS.get(source, self.default_hours)

    def check(self, source: str, last_loaded_at: datetime | None, now: datetime) -> FeedCheck:
        """Stale only when ``now - last_loaded_at`` exceeds the source's interval."""
        hours = self.expected_hours(source)
        if last_loaded_at is None:
            return FeedCheck(source, FeedState.NEVER_LOADED, hours, None)
        since = now - last_loaded_at
        state = FeedState.STALE if since > timedelta(hours=hours) else FeedState.FRESH
        return FeedCheck(source, state, hours, since)


def expected_text(hours: float) -> str:
    """``48 h`` or ``30 days`` (whole days from a week up): how often a source should load."""
    if hours >= 168 and hours % 24 == 0:
        return f"{hours / 24:.0f} days"
    return f"{hours:g} h"


def parse_source_hours(text: str) -> dict[str, float]:
    """``nps=720,invoices=720`` → ``{"nps": 720.0, "invoices": 720.0}``.

    Raises:
        ValueError: naming the bad pair — an unknown source, a missing ``=``, or hours
            that are not a positive number.
    """
    result: dict[str, float] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ValueError(f"expected SOURCE=HOURS pairs separated by commas, got {item!r}")
        source = SOURCE_ALIASES.get(name, name)
        if source not in KNOWN_SOURCES:
            raise ValueError(f"unknown source {name!r} (known: {', '.join(KNOWN_SOURCES)})")
        try:
            hours = float(value)
        except ValueError:
            raise ValueError(f"{name}: {value.strip()!r} is not a number of hours") from None
        if not hours > 0 or hours == float("inf"):
            raise ValueError(f"{name}: hours must be a positive number, got {value.strip()!r}")
        result[source] = hours
    return result
