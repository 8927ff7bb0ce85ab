"""The webhook inbox's SQL: enqueue idempotently, list what is pending, mark it, find accounts.

Enqueueing is an ``INSERT … ON CONFLICT DO NOTHING`` on (source, event_id), so a replay
or a retried delivery adds nothing, decided by the database even across replicas.
Drain-side functions take the caller's ``Connection`` and never commit: an event's
rows and its ``done`` mark are written in one transaction. Every value is bound.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session

from bot.db.insert_ignore import insert_ignore
from bot.db.models import Account, Contact, WebhookEvent

MAX_NOTE_CHARS = 500

_INBOX = WebhookEvent.__table__


@dataclass(frozen=True, slots=True)
class InboxEvent:
    source: str
    event_id: str
    event_type: str
    payload: str


def enqueue_event(
    session: Session,
    *,
    source: str,
    event_id: str,
    event_type: str,
    payload: str,
    received_at: datetime,
) -> bool:
    """Queue one verified delivery; False when this (source, event id) is already queued."""
    return insert_ignore(
        session,
        _INBOX,
        {
            "source": source,
            "event_id": event_id,
            "event_type": event_type,
            "payload": payload,
            "received_at": received_at,
            "status": "pending",
        },
    )


def pending_events(connection: Connection, *, limit: int) -> list[InboxEvent]:
    """The oldest pending deliveries first (the order they were received)."""
    rows = connection.execute(
        select(_INBOX.c.source, _INBOX.c.event_id, _INBOX.c.event_type, _INBOX.c.payload)
        .where(_INBOX.c.status == "pending")
        .order_by(_INBOX.c.received_at, _INBOX.c.source, _INBOX.c.event_id)
        .limit(limit)
    )
    return [InboxEvent(*row) for row in rows]


def mark_event(
    connection: Connection,
    event: InboxEvent,
    *,
    status: str,
    now: datetime,
    note: str | None = None,
) -> None:
    """Close one delivery as ``done``, ``skipped`` or ``failed`` (with why, never the body)."""
    connection.execute(
        update(_INBOX)
        .where(_INBOX.c.source == event.source, _INBOX.c.event_id == event.event_id)
        .values(
            status=status,
            processed_at=now,
            note=note[:MAX_NOTE_CHARS] if note is not None else None,
        )
    )


def inbox_counts(connection: Connection) -> dict[str, int]:
    """Deliveries per status (``pending``, ``done``, ``skipped``, ``failed``)."""
    rows = connection.execute(select(_INBOX.c.status, func.count()).group_by(_INBOX.c.status)).all()
    return {str(status): int(count) for status, count in rows}


def find_account(
    connection: Connection,
    *,
    account_ids: Iterable[str] = (),
    contact_ids: Iterable[str] = (),
    email_domains: Iterable[str] = (),
) -> str | None:
    """The first account an event points at: by account id, then contact id, then domain."""
    accounts = Account.__table__
    for account_id in account_ids:
        found = connection.execute(
            select(accounts.c.account_id).where(accounts.c.account_id == account_id)
        ).scalar()
        if found is not None:
            return str(found)
    contacts = Contact.__table__
    for contact_id in contact_ids:
        found = connection.execute(
            select(contacts.c.account_id).where(contacts.c.contact_id == contact_id)
        ).scalar()
        if found is not None:
            return str(found)
    for domain in email_domains:
        found = connection.execute(
            select(accounts.c.account_id)
            .where(func.lower(accounts.c.domain) == domain.lower())
            .order_by(accounts.c.account_id)
            .limit(1)
        ).scalar()
        if found is not None:
            return str(found)
    return None
