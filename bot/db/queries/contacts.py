"""People at an account: contacts, the champion, and the last time anyone spoke to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from bot.db.models import Contact, Interaction
from bot.db.queries.records import ContactRecord, InteractionRecord, Page


def contact_record(row: Contact) -> ContactRecord:
    return ContactRecord(
        contact_id=row.contact_id,
        name=row.name,
        email=row.email,
        title=row.title,
        is_champion=bool(row.is_champion),
        is_decision_maker=bool(row.is_decision_maker),
        is_active=row.is_active is not False,
        last_contacted_at=row.last_contacted_at,
    )


def _importance() -> tuple[object, ...]:
    """Active champions, then decision makers, then the most recently contacted."""
    return (
        case((Contact.is_active.is_(False), 1), else_=0),
        case((Contact.is_champion.is_(True), 0), else_=1),
        case((Contact.is_decision_maker.is_(True), 0), else_=1),
        Contact.last_contacted_at.desc().nulls_last(),
        Contact.name,
        Contact.contact_id,
    )


def contacts_page(
    *, session: Session, account_id: str, page: int = 0, page_size: int = 10
) -> Page[ContactRecord]:
    rows = session.scalars(
        select(Contact)
        .where(Contact.account_id == account_id)
        .order_by(*_importance())
        .limit(page_size)
        .offset(page * page_size)
    ).all()
    total = session.scalar(select(func.count()).where(Contact.account_id == account_id)) or 0
    items = [contact_record(r) for r in rows]
    return Page(items=items, total=int(total), page=page, page_size=page_size)


def champions(*, session: Session, account_id: str) -> list[ContactRecord]:
    """Every contact flagged champion, active ones first (an inactive one is a risk)."""
    rows = session.scalars(
        select(Contact)
        .where(Contact.account_id == account_id, Contact.is_champion.is_(True))
        .order_by(*_importance())
    ).all()
    return [contact_record(r) for r in rows]


def last_interaction(*, session: Session, account_id: str) -> InteractionRecord | None:
    """The newest customer touch: an internal ``note`` is not one.

    Health scoring counts days since the last customer-facing interaction, so a
    "Last touch: note, 2 days ago" beside "last interaction 31 days ago" would
    contradict the score on the same card.
    """
    customer_facing = or_(Interaction.type.is_(None), Interaction.type != "note")
    row = session.execute(
        select(Interaction, Contact.name)
        .outerjoin(Contact, Contact.contact_id == Interaction.contact_id)
        .where(Interaction.account_id == account_id, customer_facing)
        .order_by(Interaction.occurred_at.desc(), Interaction.interaction_id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    interaction, contact_name = row
    return InteractionRecord(
        interaction_id=interaction.interaction_id,
        occurred_at=interaction.occurred_at,
        type=interaction.type,
        summary=interaction.summary,
        contact_name=contact_name,
    )


def last_contacted_at(*, session: Session, account_id: str) -> datetime | None:
    """The newest ``last_contacted_at`` among the account's contacts (CRM's view of touch)."""
    return session.scalar(
        select(func.max(Contact.last_contacted_at)).where(Contact.account_id == account_id)
    )
