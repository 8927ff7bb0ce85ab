"""The reads behind a drafting facts pack: everything the store knows about one account.

Each function is one indexed query scoped to a single account (primary key or an
``account_id`` index), so a whole pack costs a dozen small queries whatever the size of
the portfolio. Results are frozen plain records: the pack outlives the session, and
nothing downstream can trigger a lazy load. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from bot.db.models import (
    Account,
    Contact,
    Contract,
    Csm,
    Cta,
    HealthOverride,
    HealthScore,
    Interaction,
    Invoice,
    NpsResponse,
    Opportunity,
    SourceLoad,
    TextSentiment,
    Ticket,
    TicketTheme,
    UsageDaily,
)

OPEN_TICKET_STATUSES = ("open", "pending")
OPEN_CTA_STATUSES = ("open", "acknowledged", "snoozed")
PROBLEM_INVOICE_STATUSES = ("failed", "overdue")
_PRIORITY_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


@dataclass(frozen=True, slots=True)
class AccountRow:
    account_id: str
    name: str
    domain: str | None
    industry: str | None
    segment: str | None
    arr: Decimal | None
    currency: str
    licensed_seats: int | None
    customer_since: date | None
    status: str
    csm_id: str | None


@dataclass(frozen=True, slots=True)
class CsmRow:
    csm_id: str
    name: str
    slack_user_id: str | None


@dataclass(frozen=True, slots=True)
class HealthRow:
    as_of: date
    score: float
    band: str
    computed_band: str
    drivers: list[dict[str, Any]]
    missing_components: list[str]
    churn_risk: float | None
    expansion: float | None
    stage: str | None


@dataclass(frozen=True, slots=True)
class OverrideRow:
    band: str
    reason: str
    until: date
    created_by: str


@dataclass(frozen=True, slots=True)
class ContractRow:
    contract_id: str
    start_date: date
    end_date: date
    arr: Decimal
    status: str
    auto_renew: bool | None


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
class TicketCounts:
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
class ContactRow:
    contact_id: str
    name: str
    email: str | None
    title: str | None
    is_champion: bool
    is_decision_maker: bool
    is_active: bool
    last_contacted_at: datetime | None


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
    status: str


@dataclass(frozen=True, slots=True)
class OpportunityRow:
    opportunity_id: str
    type: str
    amount: Decimal
    stage: str | None
    close_date: date | None


@dataclass(frozen=True, slots=True)
class SourceLoadRow:
    source: str
    last_loaded_at: datetime
    data_as_of: datetime | None


# --------------------------------------------------------------------------- account
def account_row(*, session: Session, account_id: str) -> AccountRow | None:
    row = session.get(Account, account_id)
    if row is None:
        return None
    return AccountRow(
        account_id=row.account_id,
        name=row.name,
        domain=row.domain,
        industry=row.industry,
        segment=row.segment,
        arr=row.arr,
        currency=row.currency or "USD",
        licensed_seats=row.licensed_seats,
        customer_since=row.customer_since,
        status=row.status,
        csm_id=row.csm_id,
    )


def csm_row(*, session: Session, csm_id: str) -> CsmRow | None:
    row = session.get(Csm, csm_id)
    if row is None:
        return None
    return CsmRow(csm_id=row.csm_id, name=row.name, slack_user_id=row.slack_user_id)


# --------------------------------------------------------------------------- health
def health_rows(*, session: Session, account_id: str) -> list[HealthRow]:
    """The latest snapshot, then the ones 7 and 30 days before it (when they exist)."""
    latest = session.scalars(
        select(HealthScore)
        .where(HealthScore.account_id == account_id)
        .order_by(HealthScore.as_of.desc())
        .limit(1)
    ).first()
    if latest is None:
        return []
    rows = [latest]
    for days in (7, 30):
        earlier = session.scalars(
            select(HealthScore)
            .where(
                HealthScore.account_id == account_id,
                HealthScore.as_of <= latest.as_of - timedelta(days=days),
            )
            .order_by(HealthScore.as_of.desc())
            .limit(1)
        ).first()
        if earlier is not None:
            rows.append(earlier)
    return [_health(row) for row in rows]


def _health(row: HealthScore) -> HealthRow:
    return HealthRow(
        as_of=row.as_of,
        score=float(row.score),
        band=row.band,
        computed_band=row.computed_band,
        drivers=[driver for driver in (row.drivers or []) if isinstance(driver, dict)],
        missing_components=list(row.missing_components or []),
        churn_risk=row.churn_risk,
        expansion=row.expansion,
        stage=row.stage,
    )


def active_override_row(*, session: Session, account_id: str, today: date) -> OverrideRow | None:
    row = session.scalars(
        select(HealthOverride)
        .where(
            HealthOverride.account_id == account_id,
            HealthOverride.until >= today,
            HealthOverride.cleared_at.is_(None),
        )
        .order_by(HealthOverride.created_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return OverrideRow(band=row.band, reason=row.reason, until=row.until, created_by=row.created_by)


# --------------------------------------------------------------------------- commercial
def current_contract_row(*, session: Session, account_id: str, today: date) -> ContractRow | None:
    """The live contract: active or pending, ending soonest on or after today.

    Falls back to the latest-ending active contract when every one has lapsed, so a
    renewal that is overdue is still visible.
    """
    live = (Contract.account_id == account_id) & Contract.status.in_(("active", "pending"))
    row = session.scalars(
        select(Contract)
        .where(live, Contract.end_date >= today)
        .order_by(Contract.end_date)
        .limit(1)
    ).first()
    if row is None:
        row = session.scalars(
            select(Contract).where(live).order_by(Contract.end_date.desc()).limit(1)
        ).first()
    if row is None:
        return None
    return ContractRow(
        contract_id=row.contract_id,
        start_date=row.start_date,
        end_date=row.end_date,
        arr=row.arr,
        status=row.status,
        auto_renew=row.auto_renew,
    )


def problem_invoice_rows(*, session: Session, account_id: str, limit: int = 3) -> list[InvoiceRow]:
    rows = session.scalars(
        select(Invoice)
        .where(Invoice.account_id == account_id, Invoice.status.in_(PROBLEM_INVOICE_STATUSES))
        .order_by(Invoice.issued_at.desc())
        .limit(limit)
    ).all()
    return [
        InvoiceRow(
            invoice_id=row.invoice_id,
            issued_at=row.issued_at,
            amount=row.amount,
            due_at=row.due_at,
            status=row.status or "",
        )
        for row in rows
    ]


def open_opportunity_rows(
    *, session: Session, account_id: str, limit: int = 3
) -> list[OpportunityRow]:
    rows = session.scalars(
        select(Opportunity)
        .where(Opportunity.account_id == account_id, Opportunity.won.is_(None))
        .order_by(Opportunity.close_date)
        .limit(limit)
    ).all()
    return [
        OpportunityRow(
            opportunity_id=row.opportunity_id,
            type=row.type,
            amount=row.amount,
            stage=row.stage,
            close_date=row.close_date,
        )
        for row in rows
    ]


# --------------------------------------------------------------------------- usage
def usage_summary(*, session: Session, account_id: str) -> UsageSummary | None:
    """Averages over the 30 days ending on the account's last usage day, vs the 30 before.

    Anchoring on the last usage day (not today) keeps a late feed from reading as a
    collapse in usage; the pack says how old the data is instead.
    """
    last_date = session.scalar(
        select(func.max(UsageDaily.date)).where(UsageDaily.account_id == account_id)
    )
    if last_date is None:
        return None
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
        ).where(UsageDaily.account_id == account_id, UsageDaily.date >= prior_start)
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
    rank = case(
        *((Ticket.priority == name, value) for name, value in _PRIORITY_RANK.items()), else_=4
    )
    statement = (
        select(Ticket, TextSentiment.score, TextSentiment.label)
        .outerjoin(
            TextSentiment,
            and_(TextSentiment.source == "ticket", TextSentiment.source_id == Ticket.ticket_id),
        )
        .where(Ticket.account_id == account_id, Ticket.status.in_(OPEN_TICKET_STATUSES))
        .order_by(Ticket.escalated.is_(True).desc(), rank, Ticket.created_at.desc())
        .limit(limit)
    )
    return [
        TicketRow(
            ticket_id=ticket.ticket_id,
            created_at=ticket.created_at,
            status=ticket.status,
            priority=ticket.priority,
            category=ticket.category,
            subject=ticket.subject,
            description=ticket.description,
            escalated=bool(ticket.escalated),
            contact_id=ticket.contact_id,
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


def ticket_counts(*, session: Session, account_id: str, today: date) -> TicketCounts:
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
        .outerjoin(
            TextSentiment,
            and_(TextSentiment.source == "ticket", TextSentiment.source_id == Ticket.ticket_id),
        )
        .where(Ticket.account_id == account_id, Ticket.created_at >= prior_start)
    ).one()
    return TicketCounts(
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
    return [
        ThemeRow(
            label=row.label,
            size=row.size,
            negative_share=float(row.negative_share),
            trend=row.trend,
            computed_at=row.computed_at,
        )
        for row in rows
    ]


def recent_nps_rows(*, session: Session, account_id: str, limit: int = 2) -> list[NpsRow]:
    statement = (
        select(NpsResponse, TextSentiment.label)
        .outerjoin(
            TextSentiment,
            and_(TextSentiment.source == "nps", TextSentiment.source_id == NpsResponse.response_id),
        )
        .where(NpsResponse.account_id == account_id)
        .order_by(NpsResponse.responded_at.desc())
        .limit(limit)
    )
    return [
        NpsRow(
            response_id=nps.response_id,
            responded_at=nps.responded_at,
            score=nps.score,
            contact_id=nps.contact_id,
            comment=nps.comment,
            sentiment_label=label,
        )
        for nps, label in session.execute(statement).all()
    ]


# --------------------------------------------------------------------------- relationship
def contact_rows(*, session: Session, account_id: str, limit: int = 25) -> list[ContactRow]:
    """Contacts, champions and decision makers first, then the most recently contacted."""
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
    return [
        ContactRow(
            contact_id=row.contact_id,
            name=row.name,
            email=row.email,
            title=row.title,
            is_champion=bool(row.is_champion),
            is_decision_maker=bool(row.is_decision_maker),
            is_active=row.is_active is not False,
            last_contacted_at=row.last_contacted_at,
        )
        for row in rows
    ]


def recent_interaction_rows(
    *, session: Session, account_id: str, limit: int = 3
) -> list[InteractionRow]:
    rows = session.scalars(
        select(Interaction)
        .where(Interaction.account_id == account_id)
        .order_by(Interaction.occurred_at.desc())
        .limit(limit)
    ).all()
    return [
        InteractionRow(
            interaction_id=row.interaction_id,
            occurred_at=row.occurred_at,
            type=row.type,
            contact_id=row.contact_id,
            summary=row.summary,
        )
        for row in rows
    ]


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
    return [
        CtaRow(
            cta_id=row.id,
            type=row.type,
            priority=row.priority,
            playbook_id=row.playbook_id,
            reason=row.reason,
            status=row.status,
            due_date=row.due_date,
            created_at=row.created_at,
        )
        for row in rows
    ]


# --------------------------------------------------------------------------- freshness
def source_load_rows(*, session: Session) -> dict[str, SourceLoadRow]:
    rows = session.scalars(select(SourceLoad)).all()
    return {
        row.source: SourceLoadRow(
            source=row.source, last_loaded_at=row.last_loaded_at, data_as_of=row.data_as_of
        )
        for row in rows
    }


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _int(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]
