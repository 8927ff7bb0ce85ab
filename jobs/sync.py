"""Scheduled CRM syncs: one job per configured source (``sync_salesforce``…), hourly by default.

The job is the same as ``csbot sync run SOURCE``: the engine commits every page with
its cursor, so a run cut short by a restart or a lost lease resumes where it stopped.
Its own session is unused: each page is its own transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.settings import Settings
from bot.sources.sync.engine import run_source
from bot.sources.sync.registry import build_connector, is_configured
from jobs.context import JobContext, JobFunction

SYNC_MINUTE = 20  # hourly syncs land at :20, clear of the :05 freshness check


def sync_job_name(source: str) -> str:
    return f"sync_{source}"


def sync_function(source: str) -> JobFunction:
    def run(context: JobContext) -> dict[str, Any]:
        if context.dry_run:
            return {"skipped": "dry run: use `csbot sync run --dry-run`"}
        services = context.services
        runs = run_source(
            build_connector(source, services.settings), services.engine, clock=services.clock
        )
        failed = [run for run in runs if not run.ok]
        if failed:
            raise RuntimeError(failed[0].error[0] if failed[0].error else "sync failed")
        return {run.object_name: run.rows_changed for run in runs}

    return run


def sync_trigger(source: str) -> Callable[[Settings], BaseTrigger]:
    def build(settings: Settings) -> BaseTrigger:
        minutes = settings.sync_every_minutes(source)
        if minutes % 60 == 0:
            return CronTrigger(hour=f"*/{minutes // 60}", minute=SYNC_MINUTE, timezone=settings.tz)
        if 60 % minutes == 0:
            return CronTrigger(minute=f"*/{minutes}", timezone=settings.tz)
        return IntervalTrigger(minutes=minutes, timezone=settings.tz)

    return build


def sync_schedule(source: str) -> Callable[[Settings], str]:
    def text(settings: Settings) -> str:
        minutes = settings.sync_every_minutes(source)
        state = "" if is_configured(source, settings) else " (not configured: not scheduled)"
        return f"every {minutes} min{state}"

    return text


def sync_enabled(source: str) -> Callable[[Settings], bool]:
    return lambda settings: is_configured(source, settings)
