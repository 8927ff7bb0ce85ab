"""Block Kit for the data-freshness alert: which source is stale and since when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.staleness import expected_text


@dataclass(frozen=True, slots=True)
class StaleFeed:
    """A source not loaded within its expected interval."""

    source: str
    last_loaded_at: datetime
    since_load: timedelta
    expected_hours: float


def _age(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.0f} hours"


def build_stale_source_blocks(stale: list[StaleFeed]) -> tuple[str, list[dict[str, Any]]]:
    """One alert for every stale source, each with its own expectation."""
    lines = "\n".join(
        f"• *{feed.source}* last loaded {feed.last_loaded_at:%d %b %H:%M} UTC "
        f"({_age(feed.since_load)} ago; expected every {expected_text(feed.expected_hours)})"
        for feed in stale
    )
    text = "Stale data: " + ", ".join(
        f"{feed.source} not loaded for over {expected_text(feed.expected_hours)}" for feed in stale
    )
    return text, [
        {"type": "header", "text": {"type": "plain_text", "text": "⏰ Stale customer data"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": lines[:3000]}},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "Scores, alerts and answers use this data. A source is stale when "
                    "it has not been loaded within its expected interval "
                    "(CSBOT_STALE_AFTER_HOURS, CSBOT_STALE_AFTER_HOURS_BY_SOURCE).",
                }
            ],
        },
    ]
