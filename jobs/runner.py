"""One wrapper owns every job run: transaction, timing, structured logs, failure logging.

A job function only plans: it reads and writes through ``context.session`` and
queues Slack messages as outbox rows. The runner commits that work in one unit.
Delivery is an explicit step after the commit: a job whose registry entry says
``delivers=True`` (the ones that queue messages, and ``deliver_alerts`` itself) has
the outbox send what is due (``bot.services.outbox.delivery.send_now``); the others
leave it to ``deliver_alerts``. A dry run plans in a session that is rolled back and
returns the payloads a delivering job would have sent.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.db.session import unit_of_work
from bot.services import Services
from bot.services.outbox.delivery import preview_due_alerts, send_now
from bot.services.outbox.sender import SlackSender
from jobs.context import JobContext, JobFunction

logger = logging.getLogger(__name__)


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


def declares_delivery(name: str) -> bool:
    """Whether the registry entry for ``name`` says the job delivers (``delivers=True``)."""
    from jobs.registry import JOBS

    definition = JOBS.get(name)
    return definition is not None and definition.delivers


def run_job(
    name: str,
    function: JobFunction,
    services: Services,
    *,
    now: datetime,
    dry_run: bool = False,
    deliver: bool | None = None,
    sender: SlackSender | None = None,
) -> JobResult:
    """Run one job at ``now``; never raises (the scheduler thread must survive), logs instead.

    ``deliver``: send what is due after the commit; None means as the job's registry
    entry declares (``JobDefinition.delivers``). ``sender`` defaults to the outbox's
    ``sender_for(services)``.
    """
    if deliver is None:
        deliver = declares_delivery(name)
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
                if deliver:
                    result.previews = preview_due_alerts(session, now=now)
            finally:
                session.rollback()
                session.close()
        else:
            with unit_of_work(services.session_factory) as session:
                result.summary = function(JobContext(services, session, now, False))
            if deliver:
                report = send_now(services, now=now, sender=sender)
                result.delivery = (
                    report.to_dict()
                    if report is not None
                    else {"skipped": "SLACK_BOT_TOKEN is not set; alerts stay queued"}
                )
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
