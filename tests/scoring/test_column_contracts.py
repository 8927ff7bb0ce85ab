"""bot.db and scoring may not import each other, so their shared column lists are checked here."""

from __future__ import annotations

from datetime import date

from bot.db.health_snapshots import SNAPSHOT_FIELDS
from bot.db.scoring_features import account_aggregates
from bot.db.session import make_session_factory
from scoring.measures import AGGREGATE_COLUMNS, OPTIONAL_AGGREGATE_COLUMNS
from scoring.snapshots import SNAPSHOT_COLUMNS


def test_feature_queries_return_exactly_the_columns_scoring_reads(sqlite_engine):
    with make_session_factory(sqlite_engine)() as session:
        frame = account_aggregates(session=session, as_of=date(2026, 11, 1))
    expected = AGGREGATE_COLUMNS + OPTIONAL_AGGREGATE_COLUMNS
    assert sorted(frame.columns) == sorted(expected)  # scoring selects by name


def test_snapshot_rows_scoring_builds_fit_the_stored_table():
    assert (*SNAPSHOT_COLUMNS, "computed_at") == SNAPSHOT_FIELDS
