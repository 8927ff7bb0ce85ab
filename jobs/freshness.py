"""Data-freshness check: a stale source feed is announced in the alerts channel."""

from __future__ import annotations

from typing import Any

from bot.services.insights.freshness_alerts import queue_stale_source_alert
from jobs.context import JobContext


def run_data_freshness(context: JobContext) -> dict[str, Any]:
    return queue_stale_source_alert(
        context.session, settings=context.services.settings, now=context.now
    )
