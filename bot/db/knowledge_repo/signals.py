"""Plain facts about one account for playbook signals (``knowledge.signals.AccountFacts``).

One function, many small point queries: each fact is read on its own so a missing
source leaves just that fact None instead of failing the whole set.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.db.models import (
    Account,
    Contact,
    Contract,
    HealthScore,
    Interaction,
    Invoice,
    NpsResponse,
    TextSentiment,
    Ticket,
    UsageDaily,
)


def account_signal_facts(*, session: Session, account_id: str, as_of: date) -> dict[str, Any]:
    """Plain facts about an account for playbook signals (see knowledge.signals.AccountFacts).

    Each fact is None when the store has no data for it, so a missing source never
    fires a signal.
    """
    facts: dict[str, Any] = {}
    account = session.get(Account, account_id)
    if account is None:
        return facts
    now = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=UTC)
    if account.customer_since:
        facts["days_as_customer"] = (as_of - account.customer_since).days
    facts["licensed_seats"] = account.licensed_seats

    last_login = session.scalar(
        select(func.max(UsageDaily.date)).where(
            UsageDaily.account_id == account_id, UsageDaily.logins > 0, UsageDaily.date <= as_of
        )
    )
    if last_login is not None:
        facts["days_since_last_login"] = (as_of - last_login).days

    def usage(start: date, stop: date) -> tuple[float | None, int | None]:
        row = session.execute(
            select(func.avg(UsageDaily.active_users), func.max(UsageDaily.active_users)).where(
                UsageDaily.account_id == account_id,
                UsageDaily.date > start,
                UsageDaily.date <= stop,
            )
        ).first()
        return (float(row[0]) if row and row[0] is not None else None, row[1] if row else None)

    facts["active_users_recent"], facts["peak_active_users_recent"] = usage(
        as_of - timedelta(days=30), as_of
    )
    facts["active_users_prior"], _ = usage(as_of - timedelta(days=60), as_of - timedelta(days=30))

    health = session.execute(
        select(HealthScore.band, HealthScore.score)
        .where(HealthScore.account_id == account_id, HealthScore.as_of <= as_of)
        .order_by(HealthScore.as_of.desc())
        .limit(1)
    ).first()
    if health:
        facts["health_band"], facts["health_score"] = health[0], health[1]
    facts["health_score_30d_ago"] = session.scalar(
        select(HealthScore.score)
        .where(
            HealthScore.account_id == account_id, HealthScore.as_of <= as_of - timedelta(days=30)
        )
        .order_by(HealthScore.as_of.desc())
        .limit(1)
    )

    end_date = session.scalar(
        select(func.min(Contract.end_date)).where(
            Contract.account_id == account_id,
            Contract.status.in_(("active", "pending")),
            Contract.end_date >= as_of,
        )
    )
    if end_date is not None:
        facts["days_to_contract_end"] = (end_date - as_of).days

    facts["latest_nps_score"] = session.scalar(
        select(NpsResponse.score)
        .where(
            NpsResponse.account_id == account_id,
            NpsResponse.responded_at >= now - timedelta(days=180),
            NpsResponse.responded_at < now,
        )
        .order_by(NpsResponse.responded_at.desc())
        .limit(1)
    )

    open_statuses = ("open", "pending")
    facts["open_urgent_tickets"] = int(
        session.scalar(
            select(func.count()).where(
                Ticket.account_id == account_id,
                or_(Ticket.status.in_(open_statuses), Ticket.status.is_(None)),
                or_(Ticket.priority == "urgent", Ticket.escalated.is_(True)),
                Ticket.resolved_at.is_(None),
            )
        )
        or 0
    )

    def ticket_count(start: datetime, stop: datetime) -> int:
        return int(
            session.scalar(
                select(func.count()).where(
                    Ticket.account_id == account_id,
                    Ticket.created_at >= start,
                    Ticket.created_at < stop,
                )
            )
            or 0
        )

    facts["tickets_recent"] = ticket_count(now - timedelta(days=30), now)
    facts["tickets_prior"] = ticket_count(now - timedelta(days=60), now - timedelta(days=30))
    labels = (
        session.execute(
            select(TextSentiment.label)
            .join(
                Ticket,
                (TextSentiment.source == "ticket") & (TextSentiment.source_id == Ticket.ticket_id),
            )
            .where(Ticket.account_id == account_id, Ticket.created_at >= now - timedelta(days=30))
        )
        .scalars()
        .all()
    )
    if labels:
        facts["negative_ticket_share_recent"] = sum(label == "negative" for label in labels) / len(
            labels
        )

    facts["failed_or_overdue_invoices"] = int(
        session.scalar(
            select(func.count()).where(
                Invoice.account_id == account_id,
                Invoice.paid_at.is_(None),
                or_(
                    Invoice.status.in_(("failed", "overdue")),
                    (Invoice.status == "open") & (Invoice.due_at < as_of),
                ),
            )
        )
        or 0
    )

    contact_count = (
        session.scalar(select(func.count()).where(Contact.account_id == account_id)) or 0
    )
    if contact_count:
        facts["active_champions"] = int(
            session.scalar(
                select(func.count()).where(
                    Contact.account_id == account_id,
                    Contact.is_champion.is_(True),
                    Contact.is_active.is_(True),
                )
            )
            or 0
        )
        last_dm = session.scalar(
            select(func.max(Contact.last_contacted_at)).where(
                Contact.account_id == account_id, Contact.is_decision_maker.is_(True)
            )
        )
        if last_dm is not None:
            facts["days_since_decision_maker_contact"] = (now - last_dm).days
    last_qbr = session.scalar(
        select(func.max(Interaction.occurred_at)).where(
            Interaction.account_id == account_id,
            Interaction.type == "qbr",
            Interaction.occurred_at < now,
        )
    )
    if last_qbr is not None:
        facts["days_since_business_review"] = (now - last_qbr).days
    elif facts.get("days_as_customer", 0) > 180:
        facts["days_since_business_review"] = facts["days_as_customer"]
    return facts
