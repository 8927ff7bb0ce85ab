"""What a first start needs to know about the store: is it empty, has it ever been scored,
are there ticket themes to answer from."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Account, HealthScore, Ticket, TicketTheme


def store_has_accounts(*, session: Session) -> bool:
    return session.execute(select(Account.account_id).limit(1)).first() is not None


def scored_days(*, session: Session) -> set[date]:
    """The days that already have health snapshots (the history trends are read from)."""
    return set(session.scalars(select(HealthScore.as_of).group_by(HealthScore.as_of)))


def latest_scored_day(*, session: Session) -> date | None:
    return session.execute(select(func.max(HealthScore.as_of))).scalar_one_or_none()


def needs_ticket_themes(*, session: Session) -> bool:
    """Tickets with text exist but no themes were ever stored (a first start, an upgrade)."""
    if session.execute(select(TicketTheme.id).limit(1)).first() is not None:
        return False
    has_text = (func.coalesce(Ticket.subject, "") != "") | (
        func.coalesce(Ticket.description, "") != ""
    )
    return session.execute(select(Ticket.ticket_id).where(has_text).limit(1)).first() is not None
