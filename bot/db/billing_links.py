"""The store's accounts as a linking source sees them: ids, and ids by domain.

Sources that do not create accounts link their records to those the CRM already made:
Stripe customers (``metadata`` account id, or the email domain = ``accounts.domain``),
event-export companies, warehouse usage rows. This is the one query they need.
Read-only; the caller owns the connection (or :func:`lazy_account_index` opens one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from bot.db.models import Account


@dataclass(frozen=True)
class AccountIndex:
    """Every account id, and lower-cased domain → account id for unambiguous domains."""

    ids: frozenset[str]
    by_domain: dict[str, str]


def account_index(connection: Connection) -> AccountIndex:
    rows = connection.execute(select(Account.account_id, func.lower(Account.domain))).all()
    by_domain: dict[str, str] = {}
    shared: set[str] = set()
    for account_id, domain in rows:
        if not domain:
            continue
        if domain in by_domain and by_domain[domain] != account_id:
            shared.add(domain)  # two accounts share a domain: neither is a safe match
        by_domain.setdefault(domain, account_id)
    for domain in shared:
        del by_domain[domain]
    return AccountIndex(frozenset(account_id for account_id, _ in rows), by_domain)


def lazy_account_index(database_url: str) -> Callable[[], AccountIndex]:
    """The store's account index, read once when a connector first needs it.

    Connectors are built before a run (``csbot sync list`` builds them without running),
    so they get a loader rather than the index: a run with nothing to link never opens
    the store for it.
    """

    def load() -> AccountIndex:
        from bot.db.session import make_engine

        engine = make_engine(database_url)
        try:
            with engine.connect() as connection:
                return account_index(connection)
        finally:
            engine.dispose()

    return load
