"""Tell the team when a source feed stops arriving, once per source per day."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.db.status import source_freshness
from bot.services.outbox.queue import local_day_bounds, queue_message
from bot.settings import Settings
from bot.slack.blocks.freshness import StaleFeed, build_stale_source_blocks


def queue_stale_source_alert(
    session: Session, *, settings: Settings, now: datetime
) -> dict[str, Any]:
    """Queue one alert listing the stale sources (keyed per day and stale set).

    A source is stale when it has not been loaded within its own expected interval
    (``Settings.staleness``); sources never loaded are left to ``csbot status``, as
    an alert about a feed that was never set up would repeat every day.
    """
    stale = [
        StaleFeed(
            item.source, item.last_loaded_at, now - item.last_loaded_at, item.check.expected_hours
        )
        for item in source_freshness(session=session, rule=settings.staleness, now=now)
        if item.stale and item.last_loaded_at is not None
    ]
    if not stale:
        return {"stale_sources": [], "queued": False}
    channel = settings.alerts_channel or settings.digest_channel
    names = [feed.source for feed in stale]
    if channel is None:
        return {
            "stale_sources": names,
            "queued": False,
            "reason": "CSBOT_ALERTS_CHANNEL is not set",
        }
    day, _, _ = local_day_bounds(now, settings)
    text, blocks = build_stale_source_blocks(stale)
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
