"""Real databases for tests: a SQLite file per test, and a fresh PostgreSQL schema per test.

PostgreSQL tests skip only when no server is reachable, and never in CI
(``CSBOT_REQUIRE_POSTGRES=1`` turns the skip into a failure).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from bot.db.migrate import upgrade_to_head
from bot.db.session import make_engine

DEFAULT_POSTGRES_URL = "postgresql+psycopg://csbot:csbot@127.0.0.1:5432/csbot_test"


def postgres_url() -> str:
    return os.environ.get("CSBOT_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def postgres_reachable() -> bool:
    try:
        engine = make_engine(postgres_url(), connect_args={"connect_timeout": 2})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def require_postgres() -> None:
    if postgres_reachable():
        return
    if os.environ.get("CSBOT_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required but not reachable at {postgres_url()}")
    pytest.skip("no PostgreSQL server reachable (set CSBOT_TEST_POSTGRES_URL)")


@contextmanager
def postgres_schema_url() -> Iterator[str]:
    """A URL whose search_path is a brand-new schema, dropped afterwards."""
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(postgres_url())
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(postgres_url()).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def database_url(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{(tmp_path / 'csbot.db').as_posix()}"
    else:
        with postgres_schema_url() as url:
            yield url


@contextmanager
def migrated_engine(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    upgrade_to_head(engine)
    try:
        yield engine
    finally:
        engine.dispose()
