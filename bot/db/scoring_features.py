"""Per-account aggregates for scoring and training, computed by the database.

Each contract table is scanned once by one grouped query whose windows (last 30 days,
the 30 before, 90, 180, 365) are CASE expressions over bound boundary dates, so the
database does the heavy lifting and Python receives one row per account. Every query
sees only rows strictly before ``as_of`` — the same code therefore builds today's score
and the point-in-time features of past renewals, where each training sample has its own
``as_of`` (the outcome date minus the horizon) held in a temporary cutoff table.

Date arithmetic is done in Python and bound as parameters of the column's own type, so
the same statements run unchanged on SQLite (dates stored as text) and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import (
    Column,
    Date,
    FromClause,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    and_,
    case,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.orm import Session, sessionmaker
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


# ----------------------------------------------------------------------------- queries
def _usage_query(scope: _Scope) -> Select[Any]:
    """Sums over the two 30-day windows; the WHERE keeps the scan to the last 60 days.

    The (account_id, date) primary-key index holds the date, so rows older than the
    window are skipped without reading the table — the bulk of a 180-day history.
    """
    u = _usage.c
    last_30 = u.date >= scope.day(30)
    prior_30 = u.date < scope.day(30)
    # Plain SUM(CASE ...): a NULL count is skipped by SUM, so no per-row COALESCE is needed.
    return (
        select(
            scope.key(_usage).label("key"),
            func.sum(case((last_30, u.active_users), else_=0)).label("active_users_sum_30d"),
            func.sum(case((prior_30, u.active_users), else_=0)).label("active_users_sum_prev_30d"),
            func.sum(case((last_30, u.logins), else_=0)).label("logins_sum_30d"),
            func.sum(case((last_30, u.features_used), else_=0)).label("features_used_sum_30d"),
        )
        .select_from(scope.source(_usage))
        .where(u.date >= scope.day(60), u.date < scope.day(0))
        .group_by(scope.key(_usage))
    )


def _usage_history_query(scope: _Scope) -> Select[Any]:
    """Whether each account has any usage before ``as_of``: one index probe per account.

    Probing the primary-key index per account is ~5x cheaper than counting every row.
    """
    u = _usage.c
    owner = scope.owner_table()
    any_usage = (
        select(literal(1)).where(u.account_id == owner.c.account_id, u.date < scope.day(0)).exists()
    )
    return select(scope.owner_key().label("key"), literal(1).label("has_usage")).where(
        scope.owner_filter(), any_usage
    )


def _ticket_query(scope: _Scope) -> Select[Any]:
    """Counts over the last 90 days; the WHERE keeps the scan to that window."""
    t = _tickets.c
    last_30 = t.created_at >= scope.instant(30)
    prior_60 = t.created_at < scope.instant(30)
    rated = t.csat.is_not(None)
    return (
        select(
            scope.key(_tickets).label("key"),
            func.count().label("tickets_90d"),
            _count_if(last_30).label("tickets_30d"),
            _count_if(prior_60).label("tickets_prev_60d"),
            func.sum(t.csat).label("csat_sum_90d"),
            _count_if(rated).label("csat_count_90d"),
            _count_if(t.escalated.is_(True)).label("escalations_90d"),
        )
        .select_from(scope.source(_tickets))
        .where(t.created_at >= scope.instant(90), t.created_at < scope.instant(0))
        .group_by(scope.key(_tickets))
    )


def _ticket_history_query(scope: _Scope) -> Select[Any]:
    """Whether each account ever had a ticket before ``as_of`` (one index probe each)."""
    t = _tickets.c
    owner = scope.owner_table()
    any_ticket = (
        select(literal(1))
        .where(t.account_id == owner.c.account_id, t.created_at < scope.instant(0))
        .exists()
    )
    return select(scope.owner_key().label("key"), literal(1).label("tickets_ever")).where(
        scope.owner_filter(), any_ticket
    )


def _open_urgent_query(scope: _Scope) -> Select[Any]:
    """Urgent tickets created before ``as_of`` and not resolved by then."""
    t = _tickets.c
    still_open = or_(
        and_(
            t.resolved_at.is_(None),
            or_(t.status.is_(None), t.status.not_in(CLOSED_TICKET_STATUSES)),
        ),
        t.resolved_at >= scope.instant(0),
    )
    return (
        select(scope.key(_tickets).label("key"), func.count().label("open_urgent_tickets"))
        .select_from(scope.source(_tickets))
        .where(t.priority.in_(URGENT_PRIORITIES), t.created_at < scope.instant(0), still_open)
        .group_by(scope.key(_tickets))
    )


def _ticket_sentiment_query(scope: _Scope) -> Select[Any]:
    """Mean sentiment of the last 90 days' tickets (rows exist once knowledge scored them)."""
    t = _tickets.c
    s = _sentiment.c
    source = scope.source(_tickets).join(
        _sentiment, and_(s.source == "ticket", s.source_id == t.ticket_id)
    )
    return (
        select(scope.key(_tickets).label("key"), func.avg(s.score).label("ticket_sentiment_90d"))
        .select_from(source)
        .where(t.created_at >= scope.instant(90), t.created_at < scope.instant(0))
        .group_by(scope.key(_tickets))
    )


def _churn_intent_query(scope: _Scope) -> Select[Any]:
    """Last 90 days' tickets with churn intent, over tickets the knowledge side assessed.

    Accounts with no assessed ticket get no row, so the measure stays unknown rather
    than a reassuring 0 before the knowledge jobs ran.
    """
    t = _tickets.c
    c = _churn.c
    source = scope.source(_tickets).join(_churn, c.ticket_id == t.ticket_id)
    return (
        select(
            scope.key(_tickets).label("key"),
            _count_if(c.detected.is_(True)).label("churn_intent_tickets_90d"),
        )
        .select_from(source)
        .where(t.created_at >= scope.instant(90), t.created_at < scope.instant(0))
        .group_by(scope.key(_tickets))
    )


def _invoice_query(scope: _Scope) -> Select[Any]:
    i = _invoices.c
    counted = or_(i.status.is_(None), i.status != "void")
    due_last_year = and_(counted, i.due_at >= scope.day(365), i.due_at < scope.day(0))
    paid_on_time = and_(i.paid_at.is_not(None), i.paid_at <= i.due_at, i.paid_at < scope.day(0))
    unpaid_past_due = and_(
        i.due_at < scope.day(0), or_(i.paid_at.is_(None), i.paid_at >= scope.day(0))
    )
    failed = and_(
        counted, i.issued_at >= scope.day(180), or_(i.status == "failed", unpaid_past_due)
    )
    return (
        select(
            scope.key(_invoices).label("key"),
            func.count().label("invoices_ever"),
            _count_if(due_last_year).label("invoices_due_365d"),
            _count_if(and_(due_last_year, paid_on_time)).label("invoices_on_time_365d"),
            _count_if(failed).label("failed_invoices_180d"),
            _raw(func.min(case((failed, i.issued_at)))).label("first_failed_invoice_at"),
        )
        .select_from(scope.source(_invoices))
        .where(i.issued_at < scope.day(0))
        .group_by(scope.key(_invoices))
    )


def _contract_query(scope: _Scope) -> Select[Any]:
    c = _contracts.c
    key = scope.key(_contracts)
    ranked = (
        select(
            key.label("key"),
            c.arr,
            c.end_date,
            func.row_number()
            .over(partition_by=key, order_by=(c.start_date.desc(), c.contract_id.desc()))
            .label("position"),
        )
        .select_from(scope.source(_contracts))
        .where(c.start_date < scope.day(0))
        .subquery()
    )
    r = ranked.c
    return select(
        r.key,
        func.count().label("contracts_ever"),
        func.max(case((r.position == 1, r.arr))).label("contract_arr"),
        func.max(case((r.position == 2, r.arr))).label("previous_contract_arr"),
        _raw(func.max(case((r.position == 1, r.end_date)))).label("contract_end_date"),
    ).group_by(r.key)


def _nps_query(scope: _Scope) -> Select[Any]:
    """The latest answer of the last 365 days (the highest score if two share a moment)."""
    n = _nps.c
    key = scope.key(_nps)
    account = scope.account_of(_nps)
    latest = (
        select(
            key.label("key"),
            account.label("account_id"),
            func.max(n.responded_at).label("responded_at"),
        )
        .select_from(scope.source(_nps))
        .where(n.responded_at < scope.instant(0), n.responded_at >= scope.instant(365))
        .group_by(key, account)
        .subquery()
    )
    answer = _nps.alias("answer")
    return (
        select(
            latest.c.key,
            func.max(answer.c.score).label("nps_latest"),
            _raw(latest.c.responded_at).label("nps_latest_at"),
        )
        .select_from(
            latest.join(
                answer,
                and_(
                    answer.c.account_id == latest.c.account_id,
                    answer.c.responded_at == latest.c.responded_at,
                ),
            )
        )
        .group_by(latest.c.key, latest.c.responded_at)
    )


def _interaction_query(scope: _Scope) -> Select[Any]:
    i = _interactions.c
    p = _contacts.c
    # An internal note is the CSM writing to themselves, not a touch with the customer: it
    # counts as relationship data on record, but never as the latest interaction.
    customer_facing = or_(i.type.is_(None), i.type != "note")
    champion = and_(customer_facing, p.is_champion.is_(True))
    executive = and_(customer_facing, or_(p.is_decision_maker.is_(True), i.type == "qbr"))
    source = scope.source(_interactions).outerjoin(_contacts, p.contact_id == i.contact_id)
    return (
        select(
            scope.key(_interactions).label("key"),
            func.count().label("interactions_ever"),
            _raw(func.max(case((customer_facing, i.occurred_at)))).label("last_interaction_at"),
            _raw(func.max(case((champion, i.occurred_at)))).label("last_champion_touch_at"),
            _raw(func.max(case((executive, i.occurred_at)))).label("last_executive_touch_at"),
        )
        .select_from(source)
        .where(i.occurred_at < scope.instant(0))
        .group_by(scope.key(_interactions))
    )


_PART_QUERIES = (
    _usage_query,
    _usage_history_query,
    _ticket_query,
    _ticket_history_query,
    _open_urgent_query,
    _ticket_sentiment_query,
    _churn_intent_query,
    _invoice_query,
    _contract_query,
    _nps_query,
    _interaction_query,
)


def _frame(session: Session, statement: Select[Any]) -> pd.DataFrame:
    """Rows as the driver returns them, to a frame column by column.

    SQLAlchemy still binds and converts the parameters (so dates compare in the stored
    format), but the rows are read straight from the DBAPI cursor: per-row result
    processing cost more than the aggregate queries themselves at 20,000 accounts.
    Values stay raw (dates as text on SQLite, Decimals on PostgreSQL);
    ``scoring.measures.normalise_aggregates`` coerces whole columns.
    """
    result = session.execute(statement)
    keys = list(result.keys())
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    if not rows:
        return pd.DataFrame({key: pd.Series(dtype="object") for key in keys})
    columns = zip(*rows, strict=True)
    return pd.DataFrame({key: list(values) for key, values in zip(keys, columns, strict=True)})


def _attach_parts(session: Session, base: pd.DataFrame, scope: _Scope) -> pd.DataFrame:
    parts = [_frame(session, build(scope)) for build in _PART_QUERIES]
    return _merge_parts(base, parts, scope)


def _merge_parts(base: pd.DataFrame, parts: list[pd.DataFrame], scope: _Scope) -> pd.DataFrame:
    """Left-join every part onto the base rows by key, in one aligned concat."""
    keys = pd.Index(base[scope.key_name])
    aligned = [part.set_index("key").reindex(keys) for part in parts]
    joined = pd.concat([base.set_index(keys), *aligned], axis=1)
    return joined.reset_index(drop=True)


# ------------------------------------------------------------------------------- public
def account_aggregates(
    *, session: Session, as_of: date, account_ids: Sequence[str] | None = None
) -> pd.DataFrame:
    """One row per account active on ``as_of`` with every aggregate scoring needs.

    An account counts as active on a day if its status is active, or it churned after
    that day. Only rows dated strictly before ``as_of`` are read.
    """
    scope = _FixedDate(as_of)
    base = _frame(session, _account_base_query(as_of, account_ids))
    frame = _attach_parts(session, base, scope) if not base.empty else _with_part_columns(base)
    frame["as_of"] = pd.Timestamp(as_of)
    return frame


def account_aggregates_concurrently(
    *, session_factory: sessionmaker[Session], as_of: date, workers: int = 2
) -> pd.DataFrame:
    """The same frame as :func:`account_aggregates`, its queries spread over connections.

    The grouped queries are independent reads, and both SQLite (WAL readers, the GIL
    released while a statement steps) and PostgreSQL run them side by side, so the
    portfolio score waits for the slowest query rather than their sum. Each query runs
    in its own read transaction; a load landing mid-way can only make one table's
    aggregates a few seconds newer than another's, never half-written.
    """
    from concurrent.futures import ThreadPoolExecutor

    scope = _FixedDate(as_of)
    database = session_factory.kw["bind"].url.database or ""
    if workers < 2 or database in ("", ":memory:"):
        with session_factory() as session:
            return account_aggregates(session=session, as_of=as_of)

    def run(build: Any) -> pd.DataFrame:
        with session_factory() as session:
            return _frame(session, build(scope))

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="aggregate") as pool:
        # The usage scan is by far the longest: start it first, the rest share the other worker.
        futures = [pool.submit(run, build) for build in _PART_QUERIES]
        base = _frame_in_new_session(session_factory, _account_base_query(as_of))
        parts = [future.result() for future in futures]
    frame = _merge_parts(base, parts, scope) if not base.empty else _with_part_columns(base)
    frame["as_of"] = pd.Timestamp(as_of)
    return frame


def _frame_in_new_session(
    session_factory: sessionmaker[Session], query: Select[Any]
) -> pd.DataFrame:
    with session_factory() as session:
        return _frame(session, query)


def _account_base_query(as_of: date, account_ids: Sequence[str] | None = None) -> Select[Any]:
    a = _accounts.c
    query = select(
        a.account_id,
        a.segment,
        a.arr.label("account_arr"),
        a.licensed_seats,
        _raw(a.customer_since).label("customer_since"),
    ).where(_active_on(as_of))
    if account_ids is not None:
        query = query.where(a.account_id.in_(list(account_ids)))
    return query.order_by(a.account_id)


@dataclass(frozen=True)
class OutcomeAggregates:
    """Point-in-time aggregates for past renewal outcomes, one row per (outcome, lead time).

    The same outcome appears once per lead time (days before its end date) whose cutoff
    falls inside the contract and after enough usage history; ``contract_ids`` group the
    rows of one outcome and ``account_ids`` the rows of one account.
    """

    aggregates: pd.DataFrame  # AGGREGATE_COLUMNS, ``as_of`` = outcome date - lead
    labels: pd.Series  # 1 churned, 0 renewed
    outcome_dates: pd.Series
    contract_ids: pd.Series
    lead_days: pd.Series
    account_ids: pd.Series


#: Days of usage history a cutoff needs behind it (the two 30-day trend windows).
MIN_HISTORY_DAYS = 60


def usage_history_start(*, session: Session) -> date | None:
    """The first day the store has product usage for (None when it has none)."""
    first: date | None = session.scalar(select(func.min(_usage.c.date)))
    return first


def renewal_outcomes(
    *, session: Session, before: date, ended_after: date | None = None
) -> pd.DataFrame:
    """Past contracts that renewed or churned, ending in (``ended_after``, ``before``)."""
    c = _contracts.c
    query = (
        select(c.contract_id, c.account_id, c.start_date, c.end_date, c.status)
        .where(c.status.in_(OUTCOME_STATUSES), c.end_date < before)
        .order_by(c.end_date, c.contract_id)
    )
    if ended_after is not None:
        query = query.where(c.end_date > ended_after)
    frame = _frame(session, query)
    frame["start_date"] = pd.to_datetime(frame["start_date"])
    frame["end_date"] = pd.to_datetime(frame["end_date"])
    return frame


def trainable_outcomes(*, session: Session, before: date, horizon_days: int) -> pd.DataFrame:
    """The renewal outcomes a model can learn from: ending before ``before``, and late
    enough that ``horizon_days`` before each the store already had usage history."""
    first_usage = usage_history_start(session=session)
    ended_after = None
    if first_usage is not None:
        ended_after = first_usage + timedelta(days=MIN_HISTORY_DAYS + horizon_days - 1)
    return renewal_outcomes(session=session, before=before, ended_after=ended_after)


def outcome_aggregates(
    *,
    session: Session,
    before: date,
    horizon_days: int | None = None,
    lead_days: Sequence[int] | None = None,
) -> OutcomeAggregates:
    """Aggregates as of each lead time before every renewal outcome ending before ``before``.

    Each (outcome, lead) pair becomes one sample row whose ``as_of`` is the outcome date
    minus the lead, so only data from before that day is read; a temporary cutoff table
    carries each sample's boundary dates so every grouped query runs once for all
    samples. ``horizon_days`` alone is one lead time. A sample is left out when its cutoff
    falls before the store has ``MIN_HISTORY_DAYS`` of usage (its features would be empty
    for lack of history, not for lack of use, and a model would learn "no data means
    renewal") or before the contract started (the renewal ahead would be another one).
    """
    leads = sorted(set(lead_days or ())) or [horizon_days or 60]
    outcomes = renewal_outcomes(session=session, before=before)
    first_usage = usage_history_start(session=session)
    earliest = (
        pd.Timestamp(first_usage + timedelta(days=MIN_HISTORY_DAYS - 1))
        if first_usage is not None
        else None
    )
    samples = []
    for lead in leads:
        cutoff = outcomes["end_date"] - pd.Timedelta(days=lead)
        keep = cutoff > outcomes["start_date"]
        if earliest is not None:
            keep &= cutoff > earliest
        samples.append(outcomes[keep].assign(lead_days=lead, cutoff=cutoff[keep]))
    picked = pd.concat(samples, ignore_index=True) if samples else outcomes.iloc[:0]
    picked = picked.sort_values(["end_date", "contract_id", "lead_days"], kind="stable")
    picked = picked.reset_index(drop=True)
    cutoff_dates = picked["cutoff"].dt.date if len(picked) else pd.Series(dtype="object")
    cutoffs = _cutoff_table()
    connection = session.connection()
    cutoffs.drop(connection, checkfirst=True)
    cutoffs.create(connection)
    try:
        rows = [
            _cutoff_row(sample_id, account_id, cutoff)
            for sample_id, (account_id, cutoff) in enumerate(
                zip(picked["account_id"], cutoff_dates, strict=True)
            )
        ]
        if rows:
            connection.execute(insert(cutoffs), rows)
        a = _accounts.c
        base = _frame(
            session,
            select(
                cutoffs.c.sample_id,
                cutoffs.c.account_id,
                cutoffs.c.d0.label("as_of"),
                a.segment,
                a.arr.label("account_arr"),
                a.licensed_seats,
                _raw(a.customer_since).label("customer_since"),
            )
            .select_from(cutoffs.join(_accounts, a.account_id == cutoffs.c.account_id))
            .order_by(cutoffs.c.sample_id),
        )
        scope = _CutoffTable(cutoffs)
        frame = _attach_parts(session, base, scope) if not base.empty else _with_part_columns(base)
    finally:
        cutoffs.drop(connection, checkfirst=True)
    if "sample_id" in frame.columns:
        frame = frame.set_index("sample_id").sort_index()
        picked = picked.loc[frame.index]
    return OutcomeAggregates(
        aggregates=frame.reset_index(drop=True),
        labels=(picked["status"] == "churned").astype(int).reset_index(drop=True),
        outcome_dates=picked["end_date"].reset_index(drop=True),
        contract_ids=picked["contract_id"].reset_index(drop=True),
        lead_days=picked["lead_days"].astype(int).reset_index(drop=True),
        account_ids=picked["account_id"].reset_index(drop=True),
    )


def _cutoff_table() -> Table:
    columns: list[Column[Any]] = [
        Column("sample_id", Integer, primary_key=True),
        Column("account_id", String(64), index=True),
    ]
    columns += [Column(f"d{days}", Date) for days in WINDOWS]
    columns += [Column(f"t{days}", UTCDateTime) for days in WINDOWS]
    return Table("csbot_scoring_cutoffs", MetaData(), *columns, prefixes=["TEMPORARY"])


def _cutoff_row(sample_id: int, account_id: str, cutoff: date) -> dict[str, Any]:
    row: dict[str, Any] = {"sample_id": sample_id, "account_id": account_id}
    for days in WINDOWS:
        day = cutoff - timedelta(days=days)
        row[f"d{days}"] = day
        row[f"t{days}"] = datetime.combine(day, time(), tzinfo=UTC)
    return row


_PART_COLUMNS: tuple[str, ...] = (
    "has_usage",
    "active_users_sum_30d",
    "active_users_sum_prev_30d",
    "logins_sum_30d",
    "features_used_sum_30d",
    "tickets_ever",
    "tickets_30d",
    "tickets_90d",
    "tickets_prev_60d",
    "csat_sum_90d",
    "csat_count_90d",
    "escalations_90d",
    "open_urgent_tickets",
    "ticket_sentiment_90d",
    "churn_intent_tickets_90d",
    "invoices_ever",
    "invoices_due_365d",
    "invoices_on_time_365d",
    "failed_invoices_180d",
    "first_failed_invoice_at",
    "contracts_ever",
    "contract_arr",
    "previous_contract_arr",
    "contract_end_date",
    "nps_latest",
    "nps_latest_at",
    "interactions_ever",
    "last_interaction_at",
    "last_champion_touch_at",
    "last_executive_touch_at",
)


def _with_part_columns(base: pd.DataFrame) -> pd.DataFrame:
    frame = base.copy()
    for column in _PART_COLUMNS:
        frame[column] = pd.Series(dtype="float64")
    return frame
