"""The ``webhook_inbox`` job: every minute, import the webhook deliveries queued since.

Webhook endpoints only verify and queue; this job is the "next incremental batch" that
turns each queued event into its contract row through the importer. Like the sync
jobs it ignores its own session: each event is its own transaction, marked done with
its row, so a run cut short resumes with the events still pending.
"""

from __future__ import annotations

from typing import Any

from bot.settings import Settings
from bot.sources.webhooks.inbox import drain_inbox
from jobs.context import JobContext


def webhooks_configured(settings: Settings) -> bool:
    """Scheduled only when some webhook endpoint is on (its secret set)."""
    return any(
        secret is not None
        for secret in (
            settings.stripe_webhook_secret,
            settings.zendesk_webhook_secret,
            settings.intercom_client_secret,
        )
    )


def run_webhook_inbox(context: JobContext) -> dict[str, Any]:
    if context.dry_run:
        return {"skipped": "dry run: webhook events stay queued"}
    return drain_inbox(context.services.engine, now=context.now).to_dict()
