"""Ticket themes per scope: replacing a scope's themes, members and new assignments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.db.models import TicketTheme, TicketThemeAssignment


# --------------------------------------------------------------------------- themes
@dataclass(frozen=True, slots=True)
class ThemeRecord:
    """What the service hands over to store one theme and its members."""

    label: str
    terms: list[str]
    size: int
    negative_share: float
    trend: float | None
    examples: list[str]
    centroid: list[float]
    members: list[tuple[str, float]]  # (ticket_id, similarity)


def replace_scope_themes(
    *, session: Session, scope: str, themes: Sequence[ThemeRecord], computed_at: datetime
) -> list[int]:
    """Swap a scope's themes and assignments for new ones in the caller's transaction."""
    old_ids = list(session.scalars(select(TicketTheme.id).where(TicketTheme.scope == scope)))
    session.execute(delete(TicketThemeAssignment).where(TicketThemeAssignment.scope == scope))
    if old_ids:
        session.execute(delete(TicketTheme).where(TicketTheme.id.in_(old_ids)))
    new_ids: list[int] = []
    for theme in themes:
        row = TicketTheme(
            scope=scope,
            label=theme.label[:200],
            terms=theme.terms,
            size=theme.size,
            negative_share=theme.negative_share,
            trend=theme.trend,
            examples=theme.examples,
            centroid=theme.centroid,
            computed_at=computed_at,
        )
        session.add(row)
        session.flush()
        new_ids.append(row.id)
        if theme.members:
            session.execute(
                TicketThemeAssignment.__table__.insert(),
                [
                    {"ticket_id": ticket_id, "scope": scope, "theme_id": row.id, "similarity": sim}
                    for ticket_id, sim in theme.members
                ],
            )
    return new_ids


def scope_themes(*, session: Session, scope: str) -> list[TicketTheme]:
    """A scope's themes, largest first."""
    query = (
        select(TicketTheme)
        .where(TicketTheme.scope == scope)
        .order_by(TicketTheme.size.desc(), TicketTheme.id)
    )
    return list(session.scalars(query))


def theme_scopes(*, session: Session) -> list[str]:
    return list(session.scalars(select(TicketTheme.scope).distinct().order_by(TicketTheme.scope)))


def assigned_ticket_ids(*, session: Session, scope: str) -> set[str]:
    query = select(TicketThemeAssignment.ticket_id).where(TicketThemeAssignment.scope == scope)
    return set(session.scalars(query))


def theme_member_ids(*, session: Session, theme_id: int) -> list[str]:
    query = (
        select(TicketThemeAssignment.ticket_id)
        .where(TicketThemeAssignment.theme_id == theme_id)
        .order_by(TicketThemeAssignment.similarity.desc())
    )
    return list(session.scalars(query))


def add_theme_assignments(
    *, session: Session, scope: str, assignments: Sequence[tuple[str, int, float]]
) -> int:
    """Attach new tickets (ticket_id, theme_id, similarity) and grow the themes' sizes."""
    if not assignments:
        return 0
    session.execute(
        TicketThemeAssignment.__table__.insert(),
        [
            {"ticket_id": ticket_id, "scope": scope, "theme_id": theme_id, "similarity": sim}
            for ticket_id, theme_id, sim in assignments
        ],
    )
    grown: dict[int, int] = {}
    for _, theme_id, _ in assignments:
        grown[theme_id] = grown.get(theme_id, 0) + 1
    for theme_id, added in grown.items():
        session.execute(
            update(TicketTheme)
            .where(TicketTheme.id == theme_id)
            .values(size=TicketTheme.size + added)
        )
    return len(assignments)
