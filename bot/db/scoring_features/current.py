"""Today's aggregates: one row per account active on ``as_of``, over one or several connections.

The entry point of the daily score; the same queries as the training samples, scoped
to one date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.scoring_features.assembly import (
    _PART_QUERIES,
    _account_base_query,
    _attach_parts,
    _frame,
    _merge_parts,
    _with_part_columns,
)
from bot.db.scoring_features.scope import _FixedDate


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
