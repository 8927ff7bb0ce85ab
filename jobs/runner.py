"""One wrapper owns every job run: transaction, timing, structured logs, failure logging.

A job function only plans: it reads and writes through ``context.session`` and
queues Slack messages as outbox rows. The runner commits that work in one unit,
then flushes the outbox through the Slack sender. A dry run plans in a session that
is rolled back and returns the payloads delivery would have sent.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.db.session import unit_of_work
from bot.services import Services
from bot.services.outbox.delivery import deliver_due_alerts, preview_due_alerts
from bot.services.outbox.sender import SlackSender, WebClientSender

logger = logging.getLogger(__name__)


@dataclass
class JobContext:
    """What a job function gets: the clock it must use, its session, and the services."""

    services: Services
    session: Session
    now: datetime
    dry_run: bool


JobFunction = Callable[[JobContext], dict[str, Any]]


@dataclass
class JobResult:
    name: str
    ok: bool
    now: datetime
    dry_run: bool
    seconds: float
    summary: dict[str, Any] = field(default_factory=dict)
    delivery: dict[str, Any] = field(default_factory=dict)
    previews: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "job": self.name,
            "ok": self.ok,
            "now": self.now.isoformat(),
            "dry_run": self.dry_run,
            "seconds": round(self.seconds, 3),
            "summary": self.summary,
            "delivery": self.delivery,
            "would_send": self.previews,
            "error": self.error,
        }


def default_sender(services: Services) -> SlackSender | None:
    """The real sender when Slack is configured; without a token messages wait in the outbox."""
    if not services.settings.slack_enabled:
        return None
    return WebClientSender(services.web_client)


def run_job(
    name: str,
    function: JobFunction,
    services: Services,
    *,
    now: datetime,
    dry_run: bool = False,
    deliver: bool = True,
    sender: SlackSender | None = None,
) -> JobResult:
    """Run one job at ``now``; never raises (the scheduler thread must survive), logs instead."""
    started = time.perf_counter()
    extra = {"job": name, "job_now": now.isoformat(), "dry_run": dry_run}
    logger.info("job started", extra=extra)
    result = JobResult(name=name, ok=True, now=now, dry_run=dry_run, seconds=0.0)
    try:
        if dry_run:
            session = services.session_factory()
            try:
                result.summary = function(JobContext(services, session, now, True))
                session.flush()
                result.previews = preview_due_alerts(session, now=now)
            finally:
                session.rollback()
                session.close()
        else:
            with unit_of_work(services.session_factory) as session:
                result.summary = function(JobContext(services, session, now, False))
            chosen = sender if sender is not None else default_sender(services)
            if deliver and chosen is not None:
                report = deliver_due_alerts(
                    services.session_factory, sender=chosen, settings=services.settings, now=now
                )
                result.delivery = {
                    "sent": report.sent,
                    "failed": report.failed,
                    "deferred": report.deferred,
                    "gave_up": report.gave_up,
                    "interrupted": report.interrupted,
                    "reconciled": report.reconciled,
                    "unconfirmed": report.unconfirmed,
                    "errors": report.errors[:20],
                }
            elif deliver:
                result.delivery = {"skipped": "SLACK_BOT_TOKEN is not set; alerts stay queued"}
    except Exception as exc:  # noqa: BLE001 - the one place a job failure is caught and logged
        result.ok = False
        result.error = f"{type(exc).__name__}: {exc}"
        logger.exception("job failed", extra=extra)
    result.seconds = time.perf_counter() - started
    logger.info(
        "job finished",
        extra={
            **extra,
            "ok": result.ok,
            "seconds": round(result.seconds, 3),
            "summary": result.summary,
            "delivery": result.delivery,
        },
    )
    return result
