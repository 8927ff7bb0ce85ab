"""Where Slack delivery claims live: beside the store on SQLite, inside it elsewhere.

SQLite has one writer at a time, and ``csbot import`` holds that write lock for the
whole all-or-nothing transaction (minutes for a large folder). A delivery claim is
a write made before Slack's 3-second ack, so in the same file every event arriving
during an import would wait for it (and Slack would retry, then give up). On a
SQLite file the claims therefore get their own small database next to it
(``csbot.db`` → ``csbot.claims.db``): its writes never contend with the import,
and every replica on the host shares it. PostgreSQL has row-level locking, so
there the claims stay in the main store.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from bot.db.models import SlackEventClaim
from bot.db.session import make_engine

CLAIMS_SUFFIX = ".claims"


def claims_database_path(engine: Engine) -> Path | None:
    """The sibling claims file for a SQLite file store; None when claims stay in ``engine``."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database)
    return path.with_name(f"{path.stem}{CLAIMS_SUFFIX}{path.suffix or '.db'}")


def claims_engine_for(engine: Engine) -> Engine:
    """The engine claims are written through, with its one table created if missing.

    The claims file holds nothing but short-lived claims (purged after two days), so
    it is created here rather than by the store's migrations.
    """
    path = claims_database_path(engine)
    if path is None:
        return engine
    claims = make_engine(f"sqlite:///{path}")
    SlackEventClaim.__table__.create(claims, checkfirst=True)
    return claims
