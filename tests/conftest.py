"""Shared fixtures: a scrubbed environment, real databases on both backends, services."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.db.session import make_session_factory
from bot.services import Services
from bot.settings import Settings
from tests.support.databases import database_url, migrated_engine

pytest_plugins = ["tests.support.slack_fixtures", "tests.support.calendar"]

SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"
DATASETS_DIR = SHARED_DIR / "datasets"

_SCRUBBED_PREFIXES = ("SLACK_", "OPENAI_", "CSBOT_")
_KEEP = {"CSBOT_TEST_POSTGRES_URL", "CSBOT_REQUIRE_POSTGRES"}


@pytest.fixture(autouse=True)
def _scrub_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's tokens or database; each gets its own data folder."""
    for name in list(os.environ):
        if name.startswith(_SCRUBBED_PREFIXES) and name not in _KEEP:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    monkeypatch.setenv("CSBOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def _fresh_cli_state() -> Iterator[None]:
    """The CLI caches settings and services per process; each test starts a new 'process'."""
    from bot.cli.context import cli_services, cli_settings

    cli_settings.cache_clear()
    cli_services.cache_clear()
    yield
    cli_settings.cache_clear()
    cli_services.cache_clear()


@pytest.fixture(params=["sqlite", "postgres"])
def db_kind(request: pytest.FixtureRequest) -> str:
    """Run a test once on SQLite and once on PostgreSQL."""
    return str(request.param)


@pytest.fixture
def db_url(db_kind: str, tmp_path: Path) -> Iterator[str]:
    with database_url(db_kind, tmp_path) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    with database_url("sqlite", tmp_path) as url:
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated engine on each backend (parametrised through ``db_kind``)."""
    with migrated_engine(db_url) as migrated:
        yield migrated


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    with migrated_engine(sqlite_url) as migrated:
        yield migrated


def make_settings(tmp_path: Path, url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "CSBOT_DATA_DIR": tmp_path / "var",
        "CSBOT_DATABASE_URL": url,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
def services(engine: Engine, tmp_path: Path) -> Services:
    settings = make_settings(tmp_path, engine.url.render_as_string(hide_password=False))
    return Services(settings=settings, engine=engine, session_factory=make_session_factory(engine))


@pytest.fixture
def sqlite_services(sqlite_engine: Engine, tmp_path: Path) -> Services:
    settings = make_settings(tmp_path, sqlite_engine.url.render_as_string(hide_password=False))
    return Services(
        settings=settings, engine=sqlite_engine, session_factory=make_session_factory(sqlite_engine)
    )
