"""One scheduler across replicas: whoever holds the database lease runs APScheduler.

Every replica runs this loop. Each ``step`` tries to take or renew the lease with a
conditional statement; the winner starts its scheduler, a replica that fails to
renew (paused, partitioned, slow) stops its scheduler before the lease can expire,
and another replica takes over after the TTL. Jobs also check the lease right before
they run (``jobs.scheduler.run_scheduled_job``), and every job is idempotent, so
even an overlap at hand-over posts nothing twice.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from bot.db.base import utcnow
from bot.db.lease_repository import acquire_or_renew_lease, release_lease
from bot.db.session import unit_of_work
from bot.services import Services
from bot.services.outbox.sender import SlackSender, sender_for
from jobs.registry import JOBS, JobDefinition
from jobs.scheduler import (
    SchedulerContext,
    build_scheduler,
    register_context,
    unregister_context,
)

logger = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
LEASE_TTL = timedelta(seconds=60)
RENEW_EVERY_SECONDS = 15.0


def default_holder() -> str:
    """host:pid:random — unique per process start, readable in the lease table."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class SchedulerLeader:
    """The lease loop around one replica's scheduler."""

    def __init__(
        self,
        services: Services,
        *,
        holder: str | None = None,
        lease_name: str = LEASE_NAME,
        ttl: timedelta = LEASE_TTL,
        renew_every: float = RENEW_EVERY_SECONDS,
        definitions: Iterable[JobDefinition] | None = None,
        sender: SlackSender | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.services = services
        self.holder = holder or default_holder()
        self.lease_name = lease_name
        self.ttl = ttl
        self.renew_every = renew_every
        self.definitions = list(definitions) if definitions is not None else list(JOBS.values())
        self.clock = clock
        self._sender = sender
        self._scheduler: BackgroundScheduler | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def is_leader(self) -> bool:
        return self._scheduler is not None

    def step(self) -> bool:
        """One lease attempt; starts or stops the scheduler to match. Returns leadership."""
        try:
            with unit_of_work(self.services.session_factory) as session:
                held = acquire_or_renew_lease(
                    session=session,
                    name=self.lease_name,
                    holder=self.holder,
                    now=self.clock(),
                    ttl=self.ttl,
                )
        except Exception:  # noqa: BLE001 - a database blip must not kill the loop
            logger.exception("scheduler lease attempt failed", extra={"holder": self.holder})
            held = False
        if held and self._scheduler is None:
            self._start_scheduler()
        elif not held and self._scheduler is not None:
            logger.warning("scheduler lease lost; stopping jobs", extra={"holder": self.holder})
            self._stop_scheduler()
        return held

    def _start_scheduler(self) -> None:
        sender = self._sender if self._sender is not None else sender_for(self.services)
        register_context(
            self.holder,
            SchedulerContext(
                services=self.services,
                holder=self.holder,
                lease_name=self.lease_name,
                clock=self.clock,
                definitions={d.name: d for d in self.definitions},
                sender=sender,
            ),
        )
        scheduler = build_scheduler(
            self.services, context_key=self.holder, definitions=self.definitions
        )
        scheduler.start()
        self._scheduler = scheduler
        logger.info(
            "scheduler leader: jobs started",
            extra={"holder": self.holder, "jobs": [d.name for d in self.definitions]},
        )

    def _stop_scheduler(self) -> None:
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        unregister_context(self.holder)

    def run_forever(self) -> None:
        """Step until ``stop()``; renew well inside the TTL."""
        while not self._stop.is_set():
            self.step()
            self._stop.wait(self.renew_every)

    def start(self) -> threading.Thread:
        """Run the loop in a daemon thread (``csbot serve`` and ``csbot jobs scheduler``)."""
        self._thread = threading.Thread(
            target=self.run_forever, name="csbot-scheduler-lease", daemon=True
        )
        self._thread.start()
        return self._thread

    def stop(self) -> None:
        """Stop jobs and give the lease up so another replica need not wait for expiry."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=self.renew_every + 5)
        was_leader = self._scheduler is not None
        self._stop_scheduler()
        if was_leader:
            with unit_of_work(self.services.session_factory) as session:
                release_lease(session=session, name=self.lease_name, holder=self.holder)


def start_background_scheduler(services: Services) -> SchedulerLeader:
    """For ``csbot serve``: join the leader election in a background thread."""
    leader = SchedulerLeader(services)
    leader.start()
    return leader
