"""The outbox job: nothing to plan; its registry entry declares ``delivers=True``.

So each run commits nothing and then sends what is due through the outbox
(``send_now``): retries after Slack errors, rows released by quiet hours, posts left
unconfirmed. Its summary is the queue by status before that delivery.
"""

from __future__ import annotations

from typing import Any

from bot.db.alert_repository import alert_status_counts
from jobs.context import JobContext


def run_deliver_alerts(context: JobContext) -> dict[str, Any]:
    return {"alerts_by_status": alert_status_counts(session=context.session)}
