"""Tell the team when a source feed stops arriving, once per source per day."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.db.status import source_freshness
from bot.services.alerts import local_day_bounds, queue_message
from bot.settings import Settings
from bot.slack.blocks.freshness import build_stale_source_blocks


def queue_stale_source_alert(
    session: Session, *, settings: Settings, now: datetime
) -> dict[str, Any]:
    """Queue one alert listing the stale sources (keyed per day and stale set)."""
    threshold = timedelta(hours=settings.stale_after_hours)
    stale = [
        (item.source, item.last_loaded_at, now - item.last_loaded_at)
        for item in source_freshness(session=session, stale_after=threshold, now=now)
        if item.stale and item.last_loaded_at is not None
    ]
    if not stale:
        return {"stale_sources": [], "queued": False}
    channel = settings.alerts_channel or settings.digest_channel
    names = [source for source, _, _ in stale]
    if channel is None:
        return {
            "stale_sources": names,
            "queued": False,
            "reason": "CSBOT_ALERTS_CHANNEL is not set",
        }
    day, _, _ = local_day_bounds(now, settings)
    text, blocks = build_stale_source_blocks(stale, threshold_hours=settings.stale_after_hours)
    queued = queue_message(
        session,
        dedupe_key=f"freshness:{day.isoformat()}:{'+'.join(sorted(names))}",
        kind="freshness",
        channel=channel,
        text=text,
        blocks=blocks,
        now=now,
        settings=settings,
    )
    return {"stale_sources": names, "queued": queued}
