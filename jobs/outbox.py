"""The outbox job: nothing to plan, it only gives pending and failed-for-now alerts a retry."""

from __future__ import annotations

from typing import Any

from bot.db.alert_repository import alert_status_counts
from jobs.runner import JobContext


def run_deliver_alerts(context: JobContext) -> dict[str, Any]:
    return {"alerts_by_status": alert_status_counts(session=context.session)}
