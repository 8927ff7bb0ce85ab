"""The per-account facts the CTA rules read, gathered in a handful of grouped queries.

Rules run over every active account each day (20,000 in the benchmark), so each
signal is one set-based query over the whole book, never a query per account. The
result is plain dataclasses: the rules in ``bot.services.ctas.rules`` stay SQL-free.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from bot.db.models import (
    Account,
    Contact,
    Contract,
    HealthOverride,
    HealthScore,
    Interaction,
    Invoice,
    NpsResponse,
    Ticket,
    TicketChurnIntent,
    UsageDaily,
)
from bot.db.queries.usage import SEATS_WINDOW_DAYS, seat_window

USAGE_MEASURES = {
    "events": UsageDaily.events,
    "logins": UsageDaily.logins,
    "active_users": UsageDaily.active_users,
    "session_minutes": UsageDaily.session_minutes,
}


@dataclass(slots=True)
class HealthFacts:
    score: float
    band: str
    as_of: date
    previous_band: str | None = None
    previous_as_of: date | None = None
    score_window_ago: float | None = None
    expansion: float | None = None
    overridden: bool = False


@dataclass(slots=True)
class UsageFacts:
    recent_total: float
    prior_total: float
    last_login: date | None
    max_active_users_recent: int | None
    days_with_data: int
    logins_total: int
    # Seats used's numerator (bot.services.metrics.glossary): active users over the 30
    # complete days before the rule day ÷ 30, as the health score and the card count them.
    avg_active_users_recent: float | None = None


@dataclass(slots=True)
class AccountSignals:
    """Everything the rules may look at for one account on one day."""

    account_id: str
    name: str
    csm_id: str | None
    arr: Decimal | None
    licensed_seats: int | None
    customer_since: date | None
    segment: str | None = None
    health: HealthFacts | None = None
    usage: UsageFacts | None = None
    nps: list[dict[str, Any]] = field(default_factory=list)
    tickets: list[dict[str, Any]] = field(default_factory=list)
    invoices: list[dict[str, Any]] = field(default_factory=list)
    champions: list[dict[str, Any]] = field(default_factory=list)
    currency: str = "USD"  # the account's; its ARR, contracts and invoices are in it
    sponsor_last_contacted_at: datetime | None = None  # newest contact with an active
    # champion or decision maker: the account's executive contact
    contracts: list[dict[str, Any]] = field(default_factory=list)
    interactions_since_start: int = 0
    churn_intent: list[dict[str, Any]] = field(default_factory=list)  # tickets, oldest first


@dataclass(frozen=True, slots=True)
class SignalWindows:
    """How far back each query looks; derived from the rules' thresholds."""

    usage_days: int = 30
    login_lookback_days: int = 60
    health_drop_days: int = 30
    nps_lookback_days: int = 14
    promoter_lookback_days: int = 90
    ticket_lookback_days: int = 14
    renewal_horizon_days: int = 120
    onboarding_days: int = 90
    usage_measure: str = "events"
    churn_intent_lookback_days: int = 14


def day_start_utc(day: date, tz: ZoneInfo) -> datetime:
    """Midnight of ``day`` in the team's time zone, as an aware datetime."""
    return datetime.combine(day, time(0, 0), tzinfo=tz)


def load_account_signals(
    *, session: Session, today: date, now: datetime, windows: SignalWindows
) -> dict[str, AccountSignals]:
    """All active accounts with their signals as of ``today`` (``now`` bounds timestamps)."""
    signals = _load_accounts(session)
    if not signals:
        return signals
    _attach_health(session, signals, today, windows)
    _attach_usage(session, signals, today, windows)
    _attach_nps(session, signals, now, windows)
    _attach_tickets(session, signals, now, windows)
    _attach_churn_intent(session, signals, now, windows)
    _attach_invoices(session, signals, today)
    _attach_champions(session, signals, now)
    _attach_contracts(session, signals, today, windows)
    _attach_onboarding(session, signals, today, windows)
    return signals


def _load_accounts(session: Session) -> dict[str, AccountSignals]:
    rows = session.execute(
        select(
            Account.account_id,
            Account.name,
            Account.csm_id,
            Account.arr,
            Account.licensed_seats,
            Account.customer_since,
            Account.segment,
            func.coalesce(Account.currency, "USD").label("currency"),
        ).where(Account.status == "active")
    )
    return {
        row.account_id: AccountSignals(
            account_id=row.account_id,
            name=row.name,
            csm_id=row.csm_id,
            arr=row.arr,
            licensed_seats=row.licensed_seats,
            customer_since=row.customer_since,
            segment=row.segment,
            currency=row.currency,
        )
        for row in rows
    }


def _attach_health(
    session: Session, signals: dict[str, AccountSignals], today: date, windows: SignalWindows
) -> None:
    ranked = (
        select(
            HealthScore.account_id,
            HealthScore.as_of,
            HealthScore.score,
            HealthScore.band,
            HealthScore.expansion,
            func.row_number()
            .over(partition_by=HealthScore.account_id, order_by=HealthScore.as_of.desc())
            .label("rank"),
        )
        .where(
            HealthScore.as_of <= today,
            HealthScore.as_of > today - timedelta(days=windows.health_drop_days * 2),
        )
        .subquery()
    )
    previous: dict[str, Any] = {}
    for row in session.execute(select(ranked).where(ranked.c.rank <= 2)):
        account = signals.get(row.account_id)
        if account is None:
            continue
        if row.rank == 2:
            previous[row.account_id] = row
            continue
        account.health = HealthFacts(
            score=float(row.score),
            band=row.band,
            as_of=row.as_of,
            expansion=row.expansion,
        )
    for account_id, row in previous.items():
        health = signals[account_id].health
        if health is not None:
            health.previous_band = row.band
            health.previous_as_of = row.as_of

    cutoff = today - timedelta(days=windows.health_drop_days)
    newest_before = (
        select(HealthScore.account_id, func.max(HealthScore.as_of).label("as_of"))
        .where(
            HealthScore.as_of <= cutoff,
            HealthScore.as_of > cutoff - timedelta(days=windows.health_drop_days),
        )
        .group_by(HealthScore.account_id)
        .subquery()
    )
    past = session.execute(
        select(HealthScore.account_id, HealthScore.score).join(
            newest_before,
            and_(
                HealthScore.account_id == newest_before.c.account_id,
                HealthScore.as_of == newest_before.c.as_of,
            ),
        )
    )
    for row in past:
        account = signals.get(row.account_id)
        if account is not None and account.health is not None:
            account.health.score_window_ago = float(row.score)

    overrides = session.execute(
        select(HealthOverride.account_id, HealthOverride.band)
        .where(HealthOverride.until >= today, HealthOverride.cleared_at.is_(None))
        .order_by(HealthOverride.created_at)
    )
    for row in overrides:
        account = signals.get(row.account_id)
        if account is not None and account.health is not None:
            account.health.band = row.band
            account.health.overridden = True


def _attach_usage(
    session: Session, signals: dict[str, AccountSignals], today: date, windows: SignalWindows
) -> None:
    measure = USAGE_MEASURES[windows.usage_measure]
    # Recent window: the last ``usage_days`` full days plus today's partial day (feeds
    # usually arrive up to yesterday); prior window: the ``usage_days`` before that.
    split = today - timedelta(days=windows.usage_days + 1)
    seats_start, seats_end = seat_window(today)  # "seats used": the glossary's window
    in_seat_window = and_(UsageDaily.date >= seats_start, UsageDaily.date <= seats_end)
    start = today - timedelta(
        days=max(windows.usage_days * 2 + 1, windows.login_lookback_days, windows.onboarding_days)
    )
    prior_start = split - timedelta(days=windows.usage_days)
    rows = session.execute(
        select(
            UsageDaily.account_id,
            func.sum(case((UsageDaily.date > split, measure), else_=0)).label("recent"),
            func.sum(
                case(
                    (and_(UsageDaily.date <= split, UsageDaily.date > prior_start), measure),
                    else_=0,
                )
            ).label("prior"),
            func.max(case((UsageDaily.logins > 0, UsageDaily.date), else_=None)).label(
                "last_login"
            ),
            func.max(case((UsageDaily.date > split, UsageDaily.active_users), else_=None)).label(
                "max_active"
            ),
            func.sum(case((in_seat_window, UsageDaily.active_users), else_=0)).label("seat_active"),
            func.count().label("days"),
            func.sum(func.coalesce(UsageDaily.logins, 0)).label("logins"),
        )
        .where(UsageDaily.date > start, UsageDaily.date <= today)
        .group_by(UsageDaily.account_id)
    )
    for row in rows:
        account = signals.get(row.account_id)
        if account is None:
            continue
        last_login = row.last_login
        if isinstance(last_login, str):  # SQLite returns MAX(date) over CASE as text
            last_login = date.fromisoformat(last_login)
        account.usage = UsageFacts(
            recent_total=float(row.recent or 0),
            prior_total=float(row.prior or 0),
            last_login=last_login,
            max_active_users_recent=int(row.max_active) if row.max_active is not None else None,
            days_with_data=int(row.days),
            logins_total=int(row.logins or 0),
            avg_active_users_recent=float(row.seat_active or 0) / SEATS_WINDOW_DAYS,
        )


def _attach_nps(
    session: Session, signals: dict[str, AccountSignals], now: datetime, windows: SignalWindows
) -> None:
    since = now - timedelta(days=max(windows.nps_lookback_days, windows.promoter_lookback_days))
    rows = session.execute(
        select(
            NpsResponse.response_id,
            NpsResponse.account_id,
            NpsResponse.score,
            NpsResponse.responded_at,
            NpsResponse.comment,
        )
        .where(NpsResponse.responded_at >= since, NpsResponse.responded_at <= now)
        .order_by(NpsResponse.responded_at)
    )
    for row in rows:
        account = signals.get(row.account_id)
        if account is not None:
            account.nps.append(
                {
                    "response_id": row.response_id,
                    "score": int(row.score),
                    "responded_at": row.responded_at,
                    "comment": row.comment,
                }
            )


def _attach_tickets(
    session: Session, signals: dict[str, AccountSignals], now: datetime, windows: SignalWindows
) -> None:
    since = now - timedelta(days=windows.ticket_lookback_days)
    rows = session.execute(
        select(
            Ticket.ticket_id,
            Ticket.account_id,
            Ticket.priority,
            Ticket.escalated,
            Ticket.subject,
            Ticket.created_at,
            Ticket.status,
        ).where(
            Ticket.created_at >= since,
            Ticket.created_at <= now,
            or_(Ticket.status.is_(None), Ticket.status.in_(("open", "pending"))),
            or_(Ticket.priority == "urgent", Ticket.escalated.is_(True)),
        )
    )
    for row in rows:
        account = signals.get(row.account_id)
        if account is not None:
            account.tickets.append(
                {
                    "ticket_id": row.ticket_id,
                    "priority": row.priority,
                    "escalated": bool(row.escalated),
                    "subject": row.subject,
                    "created_at": row.created_at,
                }
            )


def _attach_churn_intent(
    session: Session, signals: dict[str, AccountSignals], now: datetime, windows: SignalWindows
) -> None:
    """Tickets of the lookback window whose stored churn intent is detected (any status:
    a "we are not renewing" ticket that support closed is still the account's news)."""
    since = now - timedelta(days=windows.churn_intent_lookback_days)
    rows = session.execute(
        select(
            Ticket.ticket_id,
            Ticket.account_id,
            Ticket.subject,
            Ticket.created_at,
            TicketChurnIntent.reason,
            TicketChurnIntent.evidence,
        )
        .join(TicketChurnIntent, TicketChurnIntent.ticket_id == Ticket.ticket_id)
        .where(
            TicketChurnIntent.detected.is_(True),
            Ticket.created_at >= since,
            Ticket.created_at <= now,
        )
        .order_by(Ticket.created_at, Ticket.ticket_id)
    )
    for row in rows:
        account = signals.get(row.account_id)
        if account is not None:
            account.churn_intent.append(
                {
                    "ticket_id": row.ticket_id,
                    "subject": row.subject,
                    "created_at": row.created_at,
                    "reason": row.reason,
                    "evidence": row.evidence,
                }
            )


def _attach_invoices(session: Session, signals: dict[str, AccountSignals], today: date) -> None:
    rows = session.execute(
        select(
            Invoice.invoice_id,
            Invoice.account_id,
            Invoice.status,
            Invoice.amount,
            Invoice.due_at,
            Invoice.issued_at,
        ).where(
            Invoice.paid_at.is_(None),
            or_(
                Invoice.status.in_(("failed", "overdue")),
                and_(Invoice.status == "open", Invoice.due_at < today),
            ),
        )
    )
    for row in rows:
        account = signals.get(row.account_id)
        if account is not None:
            status = row.status if row.status in ("failed", "overdue") else "overdue"
            account.invoices.append(
                {
                    "invoice_id": row.invoice_id,
                    "status": status,
                    "amount": row.amount,
                    "due_at": row.due_at,
                    "issued_at": row.issued_at,
                }
            )


def _attach_champions(session: Session, signals: dict[str, AccountSignals], now: datetime) -> None:
    """Champions (active or gone), and the latest contact with any active sponsor.

    A sponsor's last contact is the later of the CRM's ``last_contacted_at`` and the newest
    logged interaction with them, the same touch the health score's relationship measures
    read: a meeting logged yesterday must not leave a "not contacted for 95 days" CTA
    beside a health card that counts it.
    """
    touched = (
        select(Interaction.contact_id, func.max(Interaction.occurred_at).label("touched_at"))
        .where(Interaction.contact_id.is_not(None), Interaction.occurred_at <= now)
        .group_by(Interaction.contact_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Contact.contact_id,
            Contact.account_id,
            Contact.name,
            Contact.is_active,
            Contact.is_champion,
            Contact.last_contacted_at,
            touched.c.touched_at,
        )
        .outerjoin(touched, touched.c.contact_id == Contact.contact_id)
        .where(or_(Contact.is_champion.is_(True), Contact.is_decision_maker.is_(True)))
    )
    for row in rows:
        account = signals.get(row.account_id)
        if account is None:
            continue
        active = row.is_active is not False
        last = _latest(row.last_contacted_at, row.touched_at)
        if (
            active
            and last is not None
            and (
                account.sponsor_last_contacted_at is None
                or last > account.sponsor_last_contacted_at
            )
        ):
            account.sponsor_last_contacted_at = last
        if row.is_champion:
            account.champions.append(
                {
                    "contact_id": row.contact_id,
                    "name": row.name,
                    "is_active": active,
                    "last_contacted_at": last,
                }
            )


def _latest(*moments: datetime | None) -> datetime | None:
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None


def _attach_contracts(
    session: Session, signals: dict[str, AccountSignals], today: date, windows: SignalWindows
) -> None:
    rows = session.execute(
        select(Contract.contract_id, Contract.account_id, Contract.end_date, Contract.arr).where(
            Contract.status == "active",
            Contract.end_date >= today,
            Contract.end_date <= today + timedelta(days=windows.renewal_horizon_days),
        )
    )
    for row in rows:
        account = signals.get(row.account_id)
        if account is not None:
            account.contracts.append(
                {"contract_id": row.contract_id, "end_date": row.end_date, "arr": row.arr}
            )


def _attach_onboarding(
    session: Session, signals: dict[str, AccountSignals], today: date, windows: SignalWindows
) -> None:
    since = today - timedelta(days=windows.onboarding_days)
    counts: dict[str, int] = defaultdict(int)
    rows = session.execute(
        select(Interaction.account_id, func.count().label("n"))
        .join(Account, Account.account_id == Interaction.account_id)
        .where(Account.customer_since >= since, Account.status == "active")
        .group_by(Interaction.account_id)
    )
    for row in rows:
        counts[row.account_id] = int(row.n)
    for account_id, n in counts.items():
        account = signals.get(account_id)
        if account is not None:
            account.interactions_since_start = n
