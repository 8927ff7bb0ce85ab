"""Queue verified deliveries, and drain the queue into the store through the importer.

The HTTP endpoint only verifies and queues (:func:`enqueue`), so it answers in
milliseconds and a slow store never makes a source retry. The ``webhook_inbox`` job
(every minute) drains: each event is mapped to one contract row and written with
:func:`~bot.sources.importer.records.import_records` (the same checks and upsert as
``csbot import``), and marked ``done`` in the same transaction — so a crash re-imports
at most an event that is then upserted to the same row. An event whose row the
importer refuses is rolled back and marked ``failed`` with the located error; one with
no account in the store, or a topic csbot does not map, is ``skipped``. Neither blocks
the events behind it. The next knowledge refresh and CTA rules then see the rows.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.db.session import unit_of_work
from bot.db.webhook_inbox import InboxEvent, enqueue_event, find_account, mark_event, pending_events
from bot.errors import ImportFailed
from bot.sources.importer import _stored_keys
from bot.sources.importer.records import RecordBatch, import_records
from bot.sources.webhooks.mapping import MappedRow, Skip, map_event

logger = logging.getLogger(__name__)

DRAIN_BATCH = 500
"""Events per drain run; the rest wait a minute for the next run."""


@dataclass
class DrainReport:
    done: int = 0
    skipped: int = 0
    failed: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {"done": self.done, "skipped": self.skipped, "failed": self.failed,
                "rows": dict(self.rows)}  # fmt: skip


def enqueue(
    session_factory: sessionmaker[Session],
    *,
    source: str,
    event_id: str,
    event_type: str,
    raw_body: bytes,
    now: datetime,
) -> bool:
    """Queue one verified delivery in its own transaction; False for a replay."""
    with unit_of_work(session_factory) as session:
        return enqueue_event(
            session,
            source=source,
            event_id=event_id,
            event_type=event_type,
            payload=raw_body.decode("utf-8"),
            received_at=now,
        )


def drain_inbox(engine: Engine, *, now: datetime, limit: int = DRAIN_BATCH) -> DrainReport:
    """Import pending deliveries, oldest first, one transaction per event."""
    report = DrainReport()
    with engine.connect() as connection:
        events = pending_events(connection, limit=limit)
    keys: dict[str, set[str]] = {}  # the store's keys, read once per run (not per event)
    for event in events:
        status, note, table = _drain_one(engine, event, now=now, known_keys=keys)
        if status == "failed":
            with engine.begin() as connection:
                mark_event(connection, event, status="failed", now=now, note=note)
            report.failed += 1
            logger.warning(
                "webhook event failed",
                extra={"source": event.source, "event_id": event.event_id, "error": note},
            )
        elif status == "skipped":
            report.skipped += 1
        else:
            report.done += 1
            if table is not None:
                report.rows[table] = report.rows.get(table, 0) + 1
    logger.info("webhook inbox drained", extra=report.to_dict())
    return report


def _drain_one(
    engine: Engine, event: InboxEvent, *, now: datetime, known_keys: dict[str, set[str]]
) -> tuple[str, str | None, str | None]:
    """``(status, note, table)`` for one event; ``failed`` ones are marked by the caller."""
    try:
        mapped = map_event(event.source, event.event_type, json.loads(event.payload))
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        # a payload of an unexpected shape must not block the events queued behind it
        note = f"{event.source} {event.event_type}: payload not understood ({type(exc).__name__})"
        return "failed", note, None
    try:
        with engine.begin() as connection:
            if isinstance(mapped, Skip):
                mark_event(connection, event, status="skipped", now=now, note=mapped.reason)
                return "skipped", mapped.reason, None
            account_id = find_account(
                connection,
                account_ids=mapped.hints.account_ids,
                contact_ids=mapped.hints.contact_ids,
                email_domains=mapped.hints.email_domains,
            )
            if account_id is None:
                note = f"{mapped.where} {mapped.record_id}: no account in the store for it"
                mark_event(connection, event, status="skipped", now=now, note=note)
                return "skipped", note, None
            if not known_keys:
                known_keys.update(_stored_keys(connection))
            import_records(
                connection,
                [_batch(mapped, account_id)],
                import_id=f"webhook:{event.source}:{event.event_id}"[:64],
                known_keys=known_keys,
                now=now,
            )
            mark_event(connection, event, status="done", now=now)
            return "done", None, mapped.table
    except ImportFailed as failure:  # rolled back: nothing of the event was written
        known_keys.clear()  # it may hold the refused row's key; re-read on the next event
        return "failed", "; ".join(failure.problems) or str(failure), None
    except BaseException:
        known_keys.clear()
        raise


def _batch(mapped: MappedRow, account_id: str) -> RecordBatch:
    row = {name: value for name, value in mapped.row.items() if value is not None}
    row["account_id"] = account_id
    return RecordBatch(
        table=mapped.table,
        rows=[row],
        ids=[mapped.record_id],
        where=mapped.where,
        fields=mapped.fields,
    )
