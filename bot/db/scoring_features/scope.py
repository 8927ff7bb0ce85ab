"""Where the aggregate queries look: one date for every account, or a cutoff per sample.

Every grouped query is written once against a *scope*: :class:`_FixedDate` binds one
``as_of`` (today's score), :class:`_CutoffTable` joins a temporary table holding each
training sample's own boundary dates. The window constants and the table handles
the feature families share live here too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    FromClause,
    String,
    Table,
    and_,
    case,
    func,
    literal,
    or_,
    true,
    type_coerce,
)
from sqlalchemy.sql.elements import ColumnElement

from bot.db.base import UTCDateTime
from bot.db.models import (
    Account,
    Contact,
    Contract,
    Interaction,
    Invoice,
    NpsResponse,
    TextSentiment,
    Ticket,
    TicketChurnIntent,
    UsageDaily,
)

WINDOWS: tuple[int, ...] = (0, 30, 60, 90, 180, 365)
URGENT_PRIORITIES: tuple[str, ...] = ("urgent",)
CLOSED_TICKET_STATUSES: tuple[str, ...] = ("solved", "closed")
OUTCOME_STATUSES: tuple[str, ...] = ("renewed", "churned")

_accounts = Account.__table__
_usage = UsageDaily.__table__
_tickets = Ticket.__table__
_sentiment = TextSentiment.__table__
_churn = TicketChurnIntent.__table__
_invoices = Invoice.__table__
_contracts = Contract.__table__
_nps = NpsResponse.__table__
_interactions = Interaction.__table__
_contacts = Contact.__table__


# ------------------------------------------------------------------------------ scopes
class _Scope:
    """Where the boundaries come from: bound constants (one as_of) or a cutoff table."""

    key_name = "account_id"

    def key(self, table: Table) -> ColumnElement[Any]:
        return table.c.account_id

    def source(self, table: Table) -> FromClause:
        return table

    def day(self, days_before: int) -> ColumnElement[Any]:
        raise NotImplementedError

    def instant(self, days_before: int) -> ColumnElement[Any]:
        raise NotImplementedError

    def owner_table(self) -> Table:
        """The table with one row per key and an ``account_id`` (for per-key probes)."""
        return _accounts

    def account_of(self, table: Table) -> ColumnElement[Any]:
        """The account id that goes with each key (for joining a grouped result back)."""
        return table.c.account_id

    def owner_key(self) -> ColumnElement[Any]:
        return _accounts.c.account_id

    def owner_filter(self) -> ColumnElement[bool]:
        """Which owner rows the per-key probes cover (all of them unless narrowed)."""
        return true()


def _active_on(as_of: date) -> ColumnElement[bool]:
    """Active on a day: status active, or churned after that day."""
    a = _accounts.c
    return or_(a.status == "active", a.churned_at >= as_of)


class _FixedDate(_Scope):
    """One scoring day, each query driven from the accounts active on it.

    Joining from the active accounts turns the big scans into one index range per
    account (``usage_daily`` by (account_id, date) holds 180 days, the windows need 60)
    and skips the churned accounts a portfolio score leaves out anyway.
    """

    def __init__(self, as_of: date) -> None:
        self.as_of = as_of

    def key(self, table: Table) -> ColumnElement[Any]:
        return _accounts.c.account_id

    def source(self, table: Table) -> FromClause:
        on = and_(table.c.account_id == _accounts.c.account_id, _active_on(self.as_of))
        return _accounts.join(table, on)

    def owner_filter(self) -> ColumnElement[bool]:
        return _active_on(self.as_of)

    def account_of(self, table: Table) -> ColumnElement[Any]:
        return _accounts.c.account_id

    def day(self, days_before: int) -> ColumnElement[Any]:
        return literal(self.as_of - timedelta(days=days_before), Date())

    def instant(self, days_before: int) -> ColumnElement[Any]:
        moment = datetime.combine(self.as_of - timedelta(days=days_before), time(), tzinfo=UTC)
        return literal(moment, UTCDateTime())


class _CutoffTable(_Scope):
    key_name = "sample_id"

    def __init__(self, table: Table) -> None:
        self.table = table

    def key(self, table: Table) -> ColumnElement[Any]:
        return self.table.c.sample_id

    def source(self, table: Table) -> FromClause:
        return self.table.join(table, table.c.account_id == self.table.c.account_id)

    def day(self, days_before: int) -> ColumnElement[Any]:
        return self.table.c[f"d{days_before}"]

    def instant(self, days_before: int) -> ColumnElement[Any]:
        return self.table.c[f"t{days_before}"]

    def owner_table(self) -> Table:
        return self.table

    def account_of(self, table: Table) -> ColumnElement[Any]:
        return self.table.c.account_id

    def owner_key(self) -> ColumnElement[Any]:
        return self.table.c.sample_id


def _raw(expression: ColumnElement[Any]) -> ColumnElement[Any]:
    """Hand a date back as the driver gives it (text on SQLite, date objects on PostgreSQL).

    Pandas parses a whole column at once in ``scoring.measures``; SQLAlchemy's per-value
    parsing of 20,000 dates per column was a visible share of a portfolio score.
    """
    return type_coerce(expression, String())


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _sum_if(condition: ColumnElement[bool], value: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)
