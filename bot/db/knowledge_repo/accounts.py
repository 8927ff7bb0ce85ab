"""Account lookups the playbook commands use (an id or exact name, names, owner)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Account


# --------------------------------------------------------------------------- accounts
def find_account(*, session: Session, query: str) -> tuple[str, str] | None:
    """(account_id, name) for an exact id or a case-insensitive exact name."""
    row = session.execute(
        select(Account.account_id, Account.name).where(Account.account_id == query)
    ).first()
    if row is None:
        row = session.execute(
            select(Account.account_id, Account.name)
            .where(func.lower(Account.name) == query.strip().lower())
            .order_by(Account.account_id)
        ).first()
    return (row[0], row[1]) if row else None


def account_names(*, session: Session) -> list[tuple[str, str]]:
    return [tuple(row) for row in session.execute(select(Account.account_id, Account.name))]  # type: ignore[misc]


def account_csm_id(*, session: Session, account_id: str) -> str | None:
    return session.scalar(select(Account.csm_id).where(Account.account_id == account_id))
