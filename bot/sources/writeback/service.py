"""Writeback for the CLI and the job: build each configured CRM's target and run it."""

from __future__ import annotations

from datetime import datetime

from bot.services import Services
from bot.sources.writeback.run import WritebackReport, run_writeback
from bot.sources.writeback.targets import build_target, configured_crms


def writeback_crms(
    services: Services,
    *,
    now: datetime,
    dry_run: bool = False,
    only: str | None = None,
    actor: str = "system",
) -> WritebackReport:
    """Push changed health fields to every configured CRM (or only ``only``).

    Raises:
        ValueError: ``only`` names a CRM that is not configured.
    """
    crms = configured_crms(services.settings)
    if only is not None:
        if only not in crms:
            configured = ", ".join(crms) or "none"
            raise ValueError(f"CRM {only!r} is not configured (configured: {configured})")
        crms = [only]
    targets = [build_target(crm, services.settings) for crm in crms]
    return run_writeback(services.session_factory, targets, now=now, dry_run=dry_run, actor=actor)
