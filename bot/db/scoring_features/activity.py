"""Usage and support aggregates: product usage windows, tickets, sentiment, churn intent.

The busiest tables (usage is by far the longest scan) grouped once per account or
sample; each query returns one row per key with the columns ``scoring.measures`` reads.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select

from bot.db.scoring_features.scope import (
    CLOSED_TICKET_STATUSES,
    URGENT_PRIORITIES,
    _churn,
    _count_if,
    _Scope,
    _sentiment,
    _tickets,
    _usage,
)


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
