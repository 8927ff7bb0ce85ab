"""Is there a store to answer from? A cheap check that avoids importing Alembic."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

ANSWER_TABLES = ("accounts", "health_scores", "source_loads", "audit_log")


def has_answer_tables(engine: Engine) -> bool:
    """True when every table the question path reads or writes exists."""
    inspector = inspect(engine)
    return all(inspector.has_table(name) for name in ANSWER_TABLES)
