"""The store's accounts as a billing source sees them: ids, and ids by domain.

A billing connector (Stripe) links its customers to accounts the CRM already made
(``metadata`` account id, or the customer's email domain = ``accounts.domain``); this
is the one query it needs. Read-only; the caller owns the connection.
"""

from __future__ import annotations

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
