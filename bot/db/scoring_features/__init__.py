"""Per-account aggregates for scoring and training, computed by the database.

Each contract table is scanned once by one grouped query whose windows (last 30 days,
the 30 before, 90, 180, 365) are CASE expressions over bound boundary dates, so the
database does the heavy lifting and Python receives one row per account. Every query
sees only rows strictly before ``as_of`` — the same code therefore builds today's score
and the point-in-time features of past renewals, where each training sample has its own
``as_of`` (the outcome date minus the horizon) held in a temporary cutoff table.

Date arithmetic is done in Python and bound as parameters of the column's own type, so
the same statements run unchanged on SQLite (dates stored as text) and PostgreSQL.

The queries are grouped by feature family (``activity``: usage and support;
``commercial``: invoices, contracts, NPS, interactions) over a shared ``scope``;
``assembly`` joins the parts, ``current`` serves today's score and ``outcomes`` the
training samples. Callers import from this package; underscore names are private to
it (shared between its modules, never imported from outside).
"""

from __future__ import annotations

from bot.db.scoring_features.current import account_aggregates, account_aggregates_concurrently
from bot.db.scoring_features.outcomes import (
    MIN_HISTORY_DAYS,
    OutcomeAggregates,
    outcome_aggregates,
    renewal_outcomes,
    trainable_outcomes,
    usage_history_start,
)
from bot.db.scoring_features.scope import (
    CLOSED_TICKET_STATUSES,
    OUTCOME_STATUSES,
    URGENT_PRIORITIES,
    WINDOWS,
)

__all__ = [
    "CLOSED_TICKET_STATUSES",
    "MIN_HISTORY_DAYS",
    "OUTCOME_STATUSES",
    "URGENT_PRIORITIES",
    "WINDOWS",
    "OutcomeAggregates",
    "account_aggregates",
    "account_aggregates_concurrently",
    "outcome_aggregates",
    "renewal_outcomes",
    "trainable_outcomes",
    "usage_history_start",
]
