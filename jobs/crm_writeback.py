"""After scoring: push the day's changed health fields to each configured CRM."""

from __future__ import annotations

from typing import Any

from bot.settings import Settings
from jobs.context import JobContext

DRY_RUN_LINES = 200  # a dry run's summary shows this many field updates per CRM, then counts


def crm_configured(settings: Settings) -> bool:
    """The job is scheduled only when some CRM has credentials."""
    from bot.sources.writeback.targets import configured_crms

    return bool(configured_crms(settings))


def run_crm_writeback(context: JobContext) -> dict[str, Any]:
    """Nothing to do (and nothing logged as a failure) when no CRM is configured."""
    from bot.sources.writeback.service import writeback_crms
    from bot.sources.writeback.targets import configured_crms

    if not configured_crms(context.services.settings):
        return {"skipped": "no CRM configured"}
    report = writeback_crms(
        context.services, now=context.now, dry_run=context.dry_run, actor="job:crm_writeback"
    )
    if context.dry_run:
        return {
            "would_send": {r.crm: r.lines[:DRY_RUN_LINES] for r in report.crms},
            "fields_planned": {r.crm: len(r.planned) for r in report.crms},
        }
    return {r.crm: r.to_dict() for r in report.crms}
