"""Accounts: names for resolution, one account's record, and a cheap change fingerprint."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Account, Csm, SourceLoad
from bot.db.queries.records import AccountName, AccountRecord

DEFAULT_CURRENCY = "USD"


def all_account_names(*, session: Session) -> list[AccountName]:
    """Every account's id, name, owner and status: the input of the name index.

    Deliberately unscoped: the index is built once and cached, and the caller
    filters matches by the viewer's scope before showing anything.
    """
    rows = session.execute(
        select(Account.account_id, Account.name, Account.csm_id, Account.status, Account.domain)
    ).tuples()
    return [
        AccountName(account_id=a, name=n, csm_id=c, status=s or "active", domain=d)
        for a, n, c, s, d in rows
    ]


def account_names_fingerprint(*, session: Session) -> tuple[object, ...]:
    """A value that changes whenever account names may have changed.

    Row count, highest id and total name length catch inserts and most renames;
    the accounts source's last load time catches every import.
    """
    count, max_id, name_length = session.execute(
        select(func.count(), func.max(Account.account_id), func.sum(func.length(Account.name)))
    ).one()
    loaded_at = session.scalar(
        select(SourceLoad.last_loaded_at).where(SourceLoad.source == "accounts")
    )
    return (count, max_id, name_length, loaded_at)


def account_record(*, session: Session, account_id: str) -> AccountRecord | None:
    row = session.execute(
        select(Account, Csm.name, Csm.slack_user_id)
        .outerjoin(Csm, Csm.csm_id == Account.csm_id)
        .where(Account.account_id == account_id)
    ).first()
    if row is None:
        return None
    account, csm_name, csm_slack = row
    return AccountRecord(
        account_id=account.account_id,
        name=account.name,
        csm_id=account.csm_id,
        csm_name=csm_name,
        csm_slack_user_id=csm_slack,
        segment=account.segment,
        industry=account.industry,
        arr=_money(account.arr),
        currency=account.currency or DEFAULT_CURRENCY,
        licensed_seats=account.licensed_seats,
        status=account.status or "active",
        customer_since=account.customer_since,
        churned_at=account.churned_at,
        churn_reason=account.churn_reason,
        domain=account.domain,
    )


def _money(value: object) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"))


def as_money(value: object) -> Decimal:
    """Normalise a SQL sum (float on SQLite, Decimal on PostgreSQL) to cents."""
    return _money(value) or Decimal("0.00")
