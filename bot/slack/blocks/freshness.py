"""Block Kit for the data-freshness alert: which source is stale and since when."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any


def _age(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.0f} hours"


def build_stale_source_blocks(
    stale: list[tuple[str, datetime, timedelta]], *, threshold_hours: float
) -> tuple[str, list[dict[str, Any]]]:
    """``stale`` = (source, last loaded at, age) for each stale source."""
    lines = "\n".join(
        f"• *{source}* last loaded {loaded:%d %b %H:%M} UTC ({_age(age)} ago)"
        for source, loaded, age in stale
    )
    text = (
        f"Stale data: {', '.join(s for s, _, _ in stale)} not loaded for over "
        f"{threshold_hours:.0f} hours"
    )
    return text, [
        {"type": "header", "text": {"type": "plain_text", "text": "⏰ Stale customer data"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": lines[:3000]}},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"Scores, alerts and answers use this data; anything older than "
                    f"{threshold_hours:.0f} h is flagged (CSBOT_STALE_AFTER_HOURS).",
                }
            ],
        },
    ]
