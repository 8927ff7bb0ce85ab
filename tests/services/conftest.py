"""The question-answering world, built once per module on each backend.

Answer tests only read (plus audit rows), so one world per module and backend
keeps the suite fast; tests that need a pristine store use the function-scoped
``services`` fixture from the top-level conftest instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.db.session import make_session_factory
from bot.services import Services
from tests.conftest import make_settings
from tests.services.qa_world import build_world
from tests.support.databases import database_url, migrated_engine


def _world(kind: str, tmp: Path, **settings: object) -> Iterator[Services]:
    with database_url(kind, tmp) as url, migrated_engine(url) as engine:
        build_world(engine)
        yield Services(
            settings=make_settings(tmp, url, **settings),
            engine=engine,
            session_factory=make_session_factory(engine),
        )


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def qa_services(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    """The world with CSBOT_VISIBILITY=own (the strict setting), on each backend."""
    yield from _world(str(request.param), tmp_path_factory.mktemp("qa"), CSBOT_VISIBILITY="own")


@pytest.fixture(scope="module")
def qa_services_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """The same world on SQLite only, for tests about the parser rather than the SQL."""
    yield from _world("sqlite", tmp_path_factory.mktemp("qa"), CSBOT_VISIBILITY="own")
