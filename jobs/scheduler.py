"""The APScheduler setup: one BackgroundScheduler, its job store in our own database.

Jobs are stored by textual reference (``jobs.scheduler:run_scheduled_job``) with
plain-string arguments, so the SQLAlchemy job store can persist them; the process's
services are looked up from a registry at run time. Only the replica holding the
database lease runs a scheduler (see ``jobs.leader``), and every run re-checks the
lease first, so a replica that lost leadership mid-way cannot run a job late.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from bot.db.lease_repository import lease_is_held_by
from bot.db.session import unit_of_work
from bot.services import Services
from bot.services.outbox.sender import SlackSender
from jobs.registry import JOBS, JobDefinition
from jobs.runner import run_job

logger = logging.getLogger(__name__)

JOBSTORE_TABLE = "apscheduler_jobs"
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
"""Coalesce a backlog into one run; never overlap a job with itself; a run missed by up
to an hour (restart, leader hand-over) still happens — every job is idempotent."""
ENTRY_POINT = "jobs.scheduler:run_scheduled_job"


@dataclass
class SchedulerContext:
    services: Services
    holder: str
    lease_name: str
    clock: Callable[[], datetime]
    definitions: dict[str, JobDefinition]
    sender: SlackSender | None = None


_CONTEXTS: dict[str, SchedulerContext] = {}
_CONTEXTS_LOCK = threading.Lock()


def register_context(key: str, context: SchedulerContext) -> None:
    with _CONTEXTS_LOCK:
        _CONTEXTS[key] = context


def unregister_context(key: str) -> None:
    with _CONTEXTS_LOCK:
        _CONTEXTS.pop(key, None)


def run_scheduled_job(job_name: str, context_key: str) -> None:
    """What APScheduler calls: fence on the lease, then run the job through the runner."""
    with _CONTEXTS_LOCK:
        context = _CONTEXTS.get(context_key)
    if context is None:
        logger.warning(
            "scheduled job has no context in this process",
            extra={"job": job_name, "context_key": context_key},
        )
        return
    now = context.clock()
    with unit_of_work(context.services.session_factory) as session:
        leader = lease_is_held_by(
            session=session, name=context.lease_name, holder=context.holder, now=now
        )
    if not leader:
        logger.warning(
            "scheduled job skipped: this replica is not the leader",
            extra={"job": job_name, "holder": context.holder},
        )
        return
    definition = context.definitions[job_name]
    run_job(
        job_name,
        definition.function,
        context.services,
        now=now,
        deliver=definition.delivers,
        sender=context.sender,
    )


def build_scheduler(
    services: Services,
    *,
    context_key: str,
    definitions: Iterable[JobDefinition] | None = None,
) -> BackgroundScheduler:
    """A scheduler with every job registered (``id=`` + ``replace_existing=True``).

    A job already in the store with the same trigger keeps its stored next run time,
    so a run missed during a leader hand-over is still made (within the grace time).
    """
    settings = services.settings
    jobstore = SQLAlchemyJobStore(engine=services.engine, tablename=JOBSTORE_TABLE)
    scheduler = BackgroundScheduler(
        jobstores={"default": jobstore},
        executors={"default": ThreadPoolExecutor(max_workers=2)},
        job_defaults=JOB_DEFAULTS,
        timezone=settings.tz,
    )
    stored = _stored_next_runs(jobstore)
    for definition in definitions if definitions is not None else JOBS.values():
        if not definition.enabled(settings):
            continue
        trigger = definition.trigger(settings)
        previous = stored.get(definition.name)
        options = {}
        if previous is not None and previous[0] == str(trigger) and previous[1] is not None:
            options["next_run_time"] = previous[1]
        scheduler.add_job(
            ENTRY_POINT,
            trigger=trigger,
            id=definition.name,
            name=definition.name,
            replace_existing=True,
            kwargs={"job_name": definition.name, "context_key": context_key},
            **options,
        )
    return scheduler


def _stored_next_runs(jobstore: SQLAlchemyJobStore) -> dict[str, tuple[str, datetime | None]]:
    """(trigger text, next run) of jobs already persisted, read before the store is started."""
    try:
        from sqlalchemy import inspect

        if not inspect(jobstore.engine).has_table(JOBSTORE_TABLE):
            return {}
        return {job.id: (str(job.trigger), job.next_run_time) for job in jobstore.get_all_jobs()}
    except Exception:  # noqa: BLE001 - an unreadable old job (renamed function) is replaced
        logger.warning("could not read stored jobs; they will be replaced", exc_info=True)
        return {}
