"""Stored ticket themes and ticket-text statistics for "what are X's users complaining about?".

Plain SQL over ``ticket_themes``, ``ticket_theme_assignments``, ``tickets`` and
``text_sentiment``: the assistant reads what the knowledge jobs stored, so this
module never touches embeddings, torch or chromadb. Themes are ranked by how
many negative tickets they hold (``negative_share × size``); among equals a
rising theme (more tickets in the last 30 days than the 30 before) comes first,
because that is the one still getting worse. Labels the caller pins (the
churn-intent theme) come before all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, literal, or_, select
from sqlalchemy.orm import Session

from bot.db.models import Account, Csm, TextSentiment, Ticket, TicketTheme, TicketThemeAssignment
from bot.db.queries.records import Page
from bot.db.queries.scope import AccountScope, apply_account_scope


@dataclass(frozen=True, slots=True)
class StoredTheme:
    """One stored theme as the assistant shows it."""

    theme_id: int
    scope: str
    label: str
    size: int
    negative_share: float
    trend: float | None
    examples: list[str]  # text excerpts stored with the theme (fallback for subjects)
    computed_at: datetime

    @property
    def negative_tickets(self) -> int:
        return round(self.negative_share * self.size)


@dataclass(frozen=True, slots=True)
class ThemePage:
    """A page of ranked themes plus what the whole set of scopes holds."""

    themes: Page[StoredTheme]
    themed_tickets: int  # tickets inside any theme of the scopes (sum of sizes)
    computed_at: datetime | None  # the oldest grouping among the scopes


@dataclass(frozen=True, slots=True)
class CategorySummary:
    """Tickets of one category and their stored sentiment (average None when unscored)."""

    category: str | None
    tickets: int
    scored: int
    negative: int
    average_sentiment: float | None


def _theme(row: TicketTheme) -> StoredTheme:
    return StoredTheme(
        theme_id=row.id,
        scope=row.scope,
        label=row.label,
        size=row.size,
        negative_share=row.negative_share,
        trend=row.trend,
        examples=list(row.examples or []),
        computed_at=row.computed_at,
    )


def ranked_themes(
    *,
    session: Session,
    scopes: Sequence[str],
    page: int = 0,
    page_size: int = 10,
    first_labels: Sequence[str] = (),
) -> ThemePage:
    """The themes of ``scopes``, most pressing first (see the module docstring).

    Themes labelled one of ``first_labels`` (the churn-intent theme) lead whatever
    their size: a customer asking how to cancel outranks a larger export complaint.
    """
    in_scopes = TicketTheme.scope.in_(sorted(set(scopes)))
    negative_tickets = func.round(TicketTheme.negative_share * TicketTheme.size)
    rising_first = case((TicketTheme.trend > 0, 0), else_=1)
    pinned_first = (
        case((TicketTheme.label.in_(list(first_labels)), 0), else_=1)
        if first_labels
        else literal(1)
    )
    statement = (
        select(TicketTheme)
        .where(in_scopes)
        .order_by(
            pinned_first,
            negative_tickets.desc(),
            rising_first,
            func.coalesce(TicketTheme.trend, 0.0).desc(),
            TicketTheme.size.desc(),
            TicketTheme.id,
        )
        .limit(page_size)
        .offset(page * page_size)
    )
    rows = session.scalars(statement).all()
    total, themed, oldest = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(TicketTheme.size), 0),
            func.min(TicketTheme.computed_at),
        ).where(in_scopes)
    ).one()
    return ThemePage(
        themes=Page(
            items=[_theme(row) for row in rows], total=int(total), page=page, page_size=page_size
        ),
        themed_tickets=int(themed or 0),
        computed_at=oldest,  # min() keeps the column type: aware UTC
    )


def scopes_with_themes(*, session: Session, scopes: Sequence[str]) -> set[str]:
    """Which of ``scopes`` have stored themes (the rest need grouping first)."""
    if not scopes:
        return set()
    statement = select(TicketTheme.scope).where(TicketTheme.scope.in_(sorted(set(scopes))))
    return set(session.scalars(statement.distinct()))


def theme_example_subjects(
    *, session: Session, theme_ids: Sequence[int], per_theme: int = 2
) -> dict[int, list[str]]:
    """The subjects of the tickets closest to each theme's centre, ``per_theme`` each."""
    if not theme_ids:
        return {}
    closeness = (
        func.row_number()
        .over(
            partition_by=TicketThemeAssignment.theme_id,
            order_by=(
                TicketThemeAssignment.similarity.desc(),
                TicketThemeAssignment.ticket_id,
            ),
        )
        .label("closeness")
    )
    ranked = (
        select(TicketThemeAssignment.theme_id, Ticket.subject, closeness)
        .join(Ticket, Ticket.ticket_id == TicketThemeAssignment.ticket_id)
        .where(
            TicketThemeAssignment.theme_id.in_(list(theme_ids)),
            Ticket.subject.is_not(None),
            Ticket.subject != "",
        )
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.theme_id, ranked.c.subject)
        .where(ranked.c.closeness <= per_theme)
        .order_by(ranked.c.theme_id, ranked.c.closeness)
    ).all()
    found: dict[int, list[str]] = {}
    for theme_id, subject in rows:
        found.setdefault(theme_id, []).append(subject)
    return found


def _has_text() -> Any:
    return or_(Ticket.subject.is_not(None), Ticket.description.is_not(None))


def _tickets_in(
    statement: Select[Any], *, account_id: str | None, scope: AccountScope
) -> Select[Any]:
    statement = statement.join(Account, Account.account_id == Ticket.account_id)
    if account_id is not None:
        statement = statement.where(Ticket.account_id == account_id)
    return apply_account_scope(statement, scope)


def themable_ticket_count(
    *, session: Session, account_id: str | None = None, scope: AccountScope | None = None
) -> int:
    """Tickets with a subject or description (what theme building clusters)."""
    statement = _tickets_in(
        select(func.count()).select_from(Ticket).where(_has_text()),
        account_id=account_id,
        scope=scope or AccountScope.everything(),
    )
    return int(session.scalar(statement) or 0)


def themable_tickets_by_book(*, session: Session, scope: AccountScope) -> dict[str, int]:
    """csm_id → tickets with text in that CSM's book (unassigned accounts left out)."""
    statement = _tickets_in(
        select(Account.csm_id, func.count())
        .select_from(Ticket)
        .where(_has_text(), Account.csm_id.is_not(None)),
        account_id=None,
        scope=scope,
    ).group_by(Account.csm_id)
    return {csm_id: int(count) for csm_id, count in session.execute(statement)}


def ticket_categories(
    *, session: Session, account_id: str | None = None, scope: AccountScope | None = None
) -> list[CategorySummary]:
    """Tickets per category with their average stored sentiment, biggest category first."""
    sentiment = (TextSentiment.source == "ticket") & (TextSentiment.source_id == Ticket.ticket_id)
    tickets = func.count(Ticket.ticket_id)
    statement = _tickets_in(
        select(
            Ticket.category,
            tickets,
            func.count(TextSentiment.source_id),
            func.count(TextSentiment.source_id).filter(TextSentiment.label == "negative"),
            func.avg(TextSentiment.score),
        )
        .select_from(Ticket)
        .outerjoin(TextSentiment, sentiment),
        account_id=account_id,
        scope=scope or AccountScope.everything(),
    ).group_by(Ticket.category)
    rows = session.execute(statement.order_by(tickets.desc(), Ticket.category)).all()
    return [
        CategorySummary(
            category=category,
            tickets=int(count),
            scored=int(scored),
            negative=int(negative),
            average_sentiment=None if average is None else float(average),
        )
        for category, count, scored, negative, average in rows
    ]


def csm_names(*, session: Session, csm_ids: Sequence[str]) -> dict[str, str]:
    """csm_id → name, to say whose book a theme comes from."""
    if not csm_ids:
        return {}
    rows = session.execute(select(Csm.csm_id, Csm.name).where(Csm.csm_id.in_(sorted(csm_ids))))
    return {csm_id: name for csm_id, name in rows}


def tickets_newer_than(
    *,
    session: Session,
    since: datetime,
    account_id: str | None = None,
    scope: AccountScope | None = None,
) -> tuple[int, datetime | None]:
    """Tickets with text created after ``since`` (the last grouping), and the newest one's time."""
    statement = _tickets_in(
        select(func.count(), func.max(Ticket.created_at))
        .select_from(Ticket)
        .where(_has_text(), Ticket.created_at > since),
        account_id=account_id,
        scope=scope or AccountScope.everything(),
    )
    count, newest = session.execute(statement).one()
    return int(count or 0), newest
