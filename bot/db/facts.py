"""The reads only a drafting facts pack needs, about one account.

The pack reads the account, health, override, renewal, contacts and freshness with
the question-answering queries (:mod:`bot.db.queries`), so a draft and an answer agree
on them; what is here has no such twin (sentiment beside tickets and NPS, ticket
trends, themes, CTAs, invoices, opportunities). Each function is one indexed query
scoped to a single account, so a whole pack costs a couple of dozen small queries
whatever the size of the portfolio. Results are frozen plain records: the pack
outlives the session, and nothing downstream can trigger a lazy load. Nothing here
commits.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from bot.db.models import (
    Contact,
    Cta,
    Interaction,
    Invoice,
    NpsResponse,
    Opportunity,
    TextSentiment,
    Ticket,
    TicketTheme,
    UsageDaily,
)
from bot.db.queries.contacts import contact_record
from bot.db.queries.records import ContactRecord
from bot.db.queries.tickets import OPEN_STATUSES as OPEN_TICKET_STATUSES
from bot.db.queries.tickets import ticket_priority_rank
from bot.db.queries.usage import latest_usage_date

OPEN_CTA_STATUSES = ("open", "acknowledged", "snoozed")
PROBLEM_INVOICE_STATUSES = ("failed", "overdue")

RowT = TypeVar("RowT")


@dataclass(frozen=True, slots=True)
class UsageSummary:
    """Usage in the 30 days up to the account's last usage day, and the 30 before."""

    last_date: date
    recent_avg_active_users: float | None
    prior_avg_active_users: float | None
    recent_peak_active_users: int | None
    recent_logins: int | None
    prior_logins: int | None
    last_login_date: date | None


@dataclass(frozen=True, slots=True)
class TicketRow:
    ticket_id: str
    created_at: datetime
    status: str | None
    priority: str | None
    category: str | None
    subject: str | None
    description: str | None
    escalated: bool
    contact_id: str | None
    sentiment_score: float | None
    sentiment_label: str | None


@dataclass(frozen=True, slots=True)
class TicketTrend:
    """Tickets opened in the last 30 days and the 30 before; recent ones' sentiment."""

    recent: int
    prior: int
    recent_negative: int
    recent_with_sentiment: int


@dataclass(frozen=True, slots=True)
class ThemeRow:
    label: str
    size: int
    negative_share: float
    trend: float | None
    computed_at: datetime


@dataclass(frozen=True, slots=True)
class InteractionRow:
    interaction_id: str
    occurred_at: datetime
    type: str
    contact_id: str | None
    summary: str | None


@dataclass(frozen=True, slots=True)
class CtaRow:
    cta_id: int
    type: str
    priority: str
    playbook_id: str
    reason: str
    status: str
    due_date: date | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NpsRow:
    response_id: str
    responded_at: datetime
    score: int
    contact_id: str | None
    comment: str | None
    sentiment_label: str | None


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    invoice_id: str
    issued_at: date
    amount: Decimal
    due_at: date | None
    paid_at: date | None
    status: str

    @property
    def is_problem(self) -> bool:
        """Failed or overdue: a risk to raise, not just a billing record."""
        return self.status in PROBLEM_INVOICE_STATUSES


@dataclass(frozen=True, slots=True)
class OpportunityRow:
    opportunity_id: str
    type: str
    amount: Decimal
    stage: str | None
    close_date: date | None


# --------------------------------------------------------------------------- commercial
def problem_invoice_rows(*, session: Session, account_id: str, limit: int = 3) -> list[InvoiceRow]:
    """The newest failed or overdue invoices."""
    rows = session.scalars(
        select(Invoice)
        .where(Invoice.account_id == account_id, Invoice.status.in_(PROBLEM_INVOICE_STATUSES))
        .order_by(Invoice.issued_at.desc(), Invoice.invoice_id.desc())
        .limit(limit)
    ).all()
    return [_copy(InvoiceRow, row, status=row.status or "") for row in rows]


def invoice_rows(
    *, session: Session, account_id: str, problems: int = 3, recent: int = 3
) -> list[InvoiceRow]:
    """The newest failed or overdue invoices plus the newest invoices of any status.

    A draft may mention the last invoice whatever its state ("paid on June 12"), so
    the pack states the recent ones too, not only the problems; problems stay in
    even when older than the recent ones. Newest first, each invoice once.
    """
    latest = session.scalars(
        select(Invoice)
        .where(Invoice.account_id == account_id)
        .order_by(Invoice.issued_at.desc(), Invoice.invoice_id.desc())
        .limit(recent)
    ).all()
    chosen = {
        row.invoice_id: row
        for row in problem_invoice_rows(session=session, account_id=account_id, limit=problems)
    }
    for row in latest:
        chosen.setdefault(row.invoice_id, _copy(InvoiceRow, row, status=row.status or ""))
    return sorted(chosen.values(), key=lambda row: (row.issued_at, row.invoice_id), reverse=True)


def open_opportunity_rows(
    *, session: Session, account_id: str, limit: int = 3
) -> list[OpportunityRow]:
    rows = session.scalars(
        select(Opportunity)
        .where(Opportunity.account_id == account_id, Opportunity.won.is_(None))
        .order_by(Opportunity.close_date)
        .limit(limit)
    ).all()
    return [_copy(OpportunityRow, row) for row in rows]


# --------------------------------------------------------------------------- usage
def usage_summary(*, session: Session, account_id: str, today: date) -> UsageSummary | None:
    """Averages over the 30 days ending on the account's last usage day, vs the 30 before.

    Anchoring on the last usage day (not today) keeps a late feed from reading as a
    collapse in usage; the pack says how old the data is instead. Today's row is a
    partial day, so the window ends yesterday at the latest, like the health drivers
    and the assistant's usage answer.
    """
    last_date = latest_usage_date(session=session, account_id=account_id)
    if last_date is None:
        return None
    last_date = min(last_date, today - timedelta(days=1))
    recent_start = last_date - timedelta(days=29)
    prior_start = last_date - timedelta(days=59)
    is_recent = UsageDaily.date >= recent_start
    is_prior = UsageDaily.date < recent_start
    row = session.execute(
        select(
            func.avg(case((is_recent, UsageDaily.active_users))),
            func.avg(case((is_prior, UsageDaily.active_users))),
            func.max(case((is_recent, UsageDaily.active_users))),
            func.sum(case((is_recent, UsageDaily.logins))),
            func.sum(case((is_prior, UsageDaily.logins))),
        ).where(
            UsageDaily.account_id == account_id,
            UsageDaily.date >= prior_start,
            UsageDaily.date <= last_date,
        )
    ).one()
    last_login = session.scalar(
        select(func.max(UsageDaily.date)).where(
            UsageDaily.account_id == account_id, UsageDaily.logins > 0
        )
    )
    return UsageSummary(
        last_date=last_date,
        recent_avg_active_users=_float(row[0]),
        prior_avg_active_users=_float(row[1]),
        recent_peak_active_users=_int(row[2]),
        recent_logins=_int(row[3]),
        prior_logins=_int(row[4]),
        last_login_date=last_login,
    )


# --------------------------------------------------------------------------- support
def open_ticket_rows(*, session: Session, account_id: str, limit: int = 5) -> list[TicketRow]:
    """Open tickets, most severe first (urgent/escalated), then newest."""
    statement = (
        select(Ticket, TextSentiment.score, TextSentiment.label)
        .outerjoin(TextSentiment, _sentiment_of("ticket", Ticket.ticket_id))
        .where(Ticket.account_id == account_id, Ticket.status.in_(OPEN_TICKET_STATUSES))
        .order_by(
            Ticket.escalated.is_(True).desc(), ticket_priority_rank(), Ticket.created_at.desc()
        )
        .limit(limit)
    )
    return [
        _copy(
            TicketRow,
            ticket,
            escalated=bool(ticket.escalated),
            sentiment_score=score,
            sentiment_label=label,
        )
        for ticket, score, label in session.execute(statement).all()
    ]


def open_ticket_count(*, session: Session, account_id: str) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(Ticket.account_id == account_id, Ticket.status.in_(OPEN_TICKET_STATUSES))
        )
        or 0
    )


def ticket_trend(*, session: Session, account_id: str, today: date) -> TicketTrend:
    """Tickets opened in the last 30 days vs the 30 before, with recent negative sentiment."""
    recent_start = _midnight(today - timedelta(days=29))
    prior_start = _midnight(today - timedelta(days=59))
    is_recent = Ticket.created_at >= recent_start
    row = session.execute(
        select(
            func.count(case((is_recent, 1))),
            func.count(case((Ticket.created_at < recent_start, 1))),
            func.count(case((and_(is_recent, TextSentiment.label == "negative"), 1))),
            func.count(case((and_(is_recent, TextSentiment.label.is_not(None)), 1))),
        )
        .select_from(Ticket)
        .outerjoin(TextSentiment, _sentiment_of("ticket", Ticket.ticket_id))
        .where(Ticket.account_id == account_id, Ticket.created_at >= prior_start)
    ).one()
    return TicketTrend(
        recent=int(row[0]),
        prior=int(row[1]),
        recent_negative=int(row[2]),
        recent_with_sentiment=int(row[3]),
    )


def account_theme_rows(*, session: Session, account_id: str, limit: int = 3) -> list[ThemeRow]:
    """The account's ticket themes from its latest clustering run, biggest first."""
    scope = f"account:{account_id}"
    latest = session.scalar(
        select(func.max(TicketTheme.computed_at)).where(TicketTheme.scope == scope)
    )
    if latest is None:
        return []
    rows = session.scalars(
        select(TicketTheme)
        .where(TicketTheme.scope == scope, TicketTheme.computed_at == latest)
        .order_by(TicketTheme.size.desc())
        .limit(limit)
    ).all()
    return [_copy(ThemeRow, row, negative_share=float(row.negative_share)) for row in rows]


def recent_nps_rows(*, session: Session, account_id: str, limit: int = 2) -> list[NpsRow]:
    statement = (
        select(NpsResponse, TextSentiment.label)
        .outerjoin(TextSentiment, _sentiment_of("nps", NpsResponse.response_id))
        .where(NpsResponse.account_id == account_id)
        .order_by(NpsResponse.responded_at.desc())
        .limit(limit)
    )
    return [
        _copy(NpsRow, nps, sentiment_label=label) for nps, label in session.execute(statement).all()
    ]


# --------------------------------------------------------------------------- relationship
def contact_rows(*, session: Session, account_id: str, limit: int = 25) -> list[ContactRecord]:
    """Contacts, champions and decision makers first, then the most recently contacted.

    Unlike the assistant's list (``bot.db.queries.contacts``), inactive people are not
    pushed last and ties go by id: which contacts and recipients a draft names stays put.
    """
    rows = session.scalars(
        select(Contact)
        .where(Contact.account_id == account_id)
        .order_by(
            Contact.is_champion.is_(True).desc(),
            Contact.is_decision_maker.is_(True).desc(),
            Contact.last_contacted_at.is_(None),
            Contact.last_contacted_at.desc(),
            Contact.contact_id,
        )
        .limit(limit)
    ).all()
    return [contact_record(row) for row in rows]


def recent_interaction_rows(
    *, session: Session, account_id: str, limit: int = 3
) -> list[InteractionRow]:
    rows = session.scalars(
        select(Interaction)
        .where(Interaction.account_id == account_id)
        .order_by(Interaction.occurred_at.desc())
        .limit(limit)
    ).all()
    return [_copy(InteractionRow, row) for row in rows]


def last_business_review_at(*, session: Session, account_id: str) -> datetime | None:
    return session.scalar(
        select(func.max(Interaction.occurred_at)).where(
            Interaction.account_id == account_id, Interaction.type == "qbr"
        )
    )


def open_cta_rows(*, session: Session, account_id: str, limit: int = 5) -> list[CtaRow]:
    rows = session.scalars(
        select(Cta)
        .where(Cta.account_id == account_id, Cta.status.in_(OPEN_CTA_STATUSES))
        .order_by(Cta.due_date.is_(None), Cta.due_date, Cta.id)
        .limit(limit)
    ).all()
    return [_copy(CtaRow, row, cta_id=row.id) for row in rows]


def _sentiment_of(source: str, source_id: Any) -> ColumnElement[bool]:
    """Join condition for the stored sentiment of one ticket or NPS comment."""
    return and_(TextSentiment.source == source, TextSentiment.source_id == source_id)


def _copy(record: type[RowT], row: object, **converted: Any) -> RowT:
    """A frozen ``record`` from an ORM ``row``, field by field.

    Each field takes the row's column of the same name unless ``converted`` gives it
    (a column under another name, or a value that needs a cast), so a record states
    only what differs from the table.
    """
    values = {
        field.name: getattr(row, field.name)
        for field in fields(record)  # type: ignore[arg-type]
        if field.name not in converted
    }
    return record(**values, **converted)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _int(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]
