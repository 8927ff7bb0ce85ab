"""Drafting fixtures: a seeded store, and services wired to the fake OpenAI server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.db.session import make_session_factory
from bot.services import Services
from tests.conftest import make_settings
from tests.drafting.store import seed_rich_account
from tests.support.fake_openai import FakeOpenAI, fake_openai  # noqa: F401 - fixture

LlmServicesFactory = Callable[..., Services]


@pytest.fixture
def seeded_services(services: Services) -> Services:
    """The rich account on SQLite and on PostgreSQL (no LLM configured)."""
    seed_rich_account(services)
    return services


@pytest.fixture
def seeded_sqlite_services(sqlite_services: Services) -> Services:
    seed_rich_account(sqlite_services)
    return sqlite_services


@pytest.fixture
def llm_services(
    sqlite_engine: Engine,
    tmp_path: Path,
    fake_openai: FakeOpenAI,  # noqa: F811 - the fixture above
) -> LlmServicesFactory:
    """Build services whose LLM is the fake server; seed the rich account once.

    Keyword arguments override settings by their environment names, e.g.
    ``llm_services(CSBOT_LLM_TIMEOUT=0.3, ticket_text=...)``.
    """
    seeded = False

    def build(*, ticket_text: str | None = None, **overrides: object) -> Services:
        nonlocal seeded
        values: dict[str, object] = {
            "OPENAI_API_KEY": "sk-test",
            "OPENAI_BASE_URL": fake_openai.base_url,
            "CSBOT_LLM_MODEL": "fake-gpt",
            "CSBOT_LLM_TIMEOUT": 2.0,
            "CSBOT_LLM_MAX_RETRIES": 0,
        }
        values.update(overrides)
        url = sqlite_engine.url.render_as_string(hide_password=False)
        services = Services(
            settings=make_settings(tmp_path, url, **values),
            engine=sqlite_engine,
            session_factory=make_session_factory(sqlite_engine),
        )
        if not seeded:
            seed_rich_account(services, ticket_text=ticket_text)
            seeded = True
        return services

    return build
