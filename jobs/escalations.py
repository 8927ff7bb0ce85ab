"""Escalation SLA check: re-ping past-SLA escalations, then escalate them to the manager."""

from __future__ import annotations

from typing import Any

from bot.services.escalations.status import enforce_escalation_sla
from jobs.context import JobContext


def run_escalation_sla(context: JobContext) -> dict[str, Any]:
    return enforce_escalation_sla(
        context.session, settings=context.services.settings, now=context.now
    )
