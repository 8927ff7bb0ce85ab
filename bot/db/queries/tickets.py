"""Support tickets: one account's open and recent ones, and open tickets across a scope."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from bot.db.models import Account, Ticket, TicketChurnIntent
from bot.db.queries.records import ChurnIntentTicket, Page, TicketCounts, TicketRecord
from bot.db.queries.scope import AccountScope, apply_account_scope

OPEN_STATUSES = ("open", "pending")
PRIORITY_ORDER = ("urgent", "high", "normal", "low")


def _is_open() -> Any:
    # A ticket with no status but no resolution time is still somebody's problem.
    return or_(
        Ticket.status.in_(OPEN_STATUSES), (Ticket.status.is_(None) & Ticket.resolved_at.is_(None))
    )


def ticket_priority_rank() -> Any:
    """Sort key: urgent first, then high, normal, low, and tickets with no priority last."""
    return case(
        *((Ticket.priority == name, rank) for rank, name in enumerate(PRIORITY_ORDER)),
        else_=len(PRIORITY_ORDER),
    )


def _record(row: Ticket) -> TicketRecord:
    return TicketRecord(
        ticket_id=row.ticket_id,
        account_id=row.account_id,
        created_at=row.created_at,
        resolved_at=row.resolved_at,
        status=row.status,
        priority=row.priority,
        category=row.category,
        subject=row.subject,
        escalated=row.escalated,
        csat=row.csat,
    )


def ticket_counts(*, session: Session, account_id: str, since: datetime) -> TicketCounts:
    is_open = _is_open()
    open_count, urgent, escalated, recent = session.execute(
        select(
            func.count().filter(is_open),
            func.count().filter(is_open, Ticket.priority == "urgent"),
            func.count().filter(is_open, Ticket.escalated.is_(True)),
            func.count().filter(Ticket.created_at >= since),
        ).where(Ticket.account_id == account_id)
    ).one()
    return TicketCounts(
        open=int(open_count or 0),
        urgent_open=int(urgent or 0),
        escalated_open=int(escalated or 0),
        created_last_30_days=int(recent or 0),
    )


def _paged(
    session: Session, statement: Select[Any], count: Select[Any], page: int, page_size: int
) -> Page[TicketRecord]:
    rows = session.scalars(statement.limit(page_size).offset(page * page_size)).all()
    total = int(session.scalar(count) or 0)
    return Page(items=[_record(r) for r in rows], total=total, page=page, page_size=page_size)


def open_tickets(
    *, session: Session, account_id: str, page: int = 0, page_size: int = 10
) -> Page[TicketRecord]:
    """Open tickets, most urgent first, then newest."""
    where = (Ticket.account_id == account_id, _is_open())
    statement = (
        select(Ticket)
        .where(*where)
        .order_by(ticket_priority_rank(), Ticket.created_at.desc(), Ticket.ticket_id)
    )
    return _paged(session, statement, select(func.count()).where(*where), page, page_size)


def recent_tickets(
    *, session: Session, account_id: str, since: datetime, page: int = 0, page_size: int = 10
) -> Page[TicketRecord]:
    """Tickets created since ``since``, newest first, whatever their status."""
    where = (Ticket.account_id == account_id, Ticket.created_at >= since)
    statement = select(Ticket).where(*where).order_by(Ticket.created_at.desc(), Ticket.ticket_id)
    return _paged(session, statement, select(func.count()).where(*where), page, page_size)


def accounts_by_open_tickets(
    *, session: Session, scope: AccountScope, page: int = 0, page_size: int = 10
) -> Page[tuple[str, str, int, int]]:
    """(account_id, name, open, urgent open) for accounts in scope with open tickets."""
    is_open = _is_open()
    open_count = func.count()
    urgent = func.count().filter(Ticket.priority == "urgent")
    statement = apply_account_scope(
        select(Account.account_id, Account.name, open_count, urgent)
        .select_from(Ticket)
        .join(Account, Account.account_id == Ticket.account_id)
        .where(is_open, Account.status == "active"),
        scope,
    ).group_by(Account.account_id, Account.name)
    rows = session.execute(
        statement.order_by(urgent.desc(), open_count.desc(), Account.account_id)
        .limit(page_size)
        .offset(page * page_size)
    ).all()
    total = int(session.scalar(select(func.count()).select_from(statement.subquery())) or 0)
    items = [(a, n, int(o), int(u)) for a, n, o, u in rows]
    return Page(items=items, total=total, page=page, page_size=page_size)


def churn_intent_tickets(
    *, session: Session, account_id: str, since: datetime, limit: int = 3
) -> tuple[list[ChurnIntentTicket], int]:
    """The newest tickets since ``since`` with churn intent, and how many there are in all."""
    where = (
        Ticket.account_id == account_id,
        Ticket.created_at >= since,
        TicketChurnIntent.detected.is_(True),
    )
    joined = select(Ticket, TicketChurnIntent.reason).join(
        TicketChurnIntent, TicketChurnIntent.ticket_id == Ticket.ticket_id
    )
    rows = session.execute(
        joined.where(*where).order_by(Ticket.created_at.desc(), Ticket.ticket_id).limit(limit)
    ).all()
    total = session.scalar(
        select(func.count())
        .select_from(Ticket)
        .join(TicketChurnIntent, TicketChurnIntent.ticket_id == Ticket.ticket_id)
        .where(*where)
    )
    items = [
        ChurnIntentTicket(
            ticket_id=ticket.ticket_id,
            created_at=ticket.created_at,
            subject=ticket.subject,
            reason=reason,
            status=ticket.status,
        )
        for ticket, reason in rows
    ]
    return items, int(total or 0)
