"""The typed bag of collaborators handed to handlers, jobs and the CLI.

Heavy collaborators (Slack client, LLM, embedder, vector store) are built lazily on
first use, so a plain question never imports torch or chromadb.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.db.base import utcnow
from bot.db.session import unit_of_work
from bot.settings import Settings

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.llm import ChatModel
    from bot.services.accounts.names import AccountNameCache
    from bot.services.corpus.toolkit import KnowledgeToolkit

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Services:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    clock: Callable[[], datetime] = field(default=utcnow, repr=False)
    """What handlers call "now" (aware UTC), injected like a job's ``now`` so tests can pin it."""
    _overrides: dict[str, object] = field(default_factory=dict, repr=False)

    def now(self) -> datetime:
        return self.clock()

    def in_transaction(
        self, use_case: Callable[Concatenate[Session, P], R], /, *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """Run one session-taking use case in a transaction of its own.

        Commits when it returns, rolls back when it raises. Handlers call use cases this
        way, so the transaction boundary is the use case's and no handler touches the
        session machinery (import-linter keeps ``handlers`` off ``bot.db.session``).
        """
        with unit_of_work(self.session_factory) as session:
            return use_case(session, *args, **kwargs)

    def today(self) -> date:
        """Today in the team's time zone (``CSBOT_TIMEZONE``)."""
        return self.clock().astimezone(self.settings.tz).date()

    @cached_property
    def claims_engine(self) -> Engine:
        """Where Slack delivery claims are written (their own file on SQLite, so an
        import's write lock never delays an ack; see ``bot.db.claims_store``)."""
        from bot.db.claims_store import claims_engine_for

        return claims_engine_for(self.engine)

    @cached_property
    def claims_session_factory(self) -> sessionmaker[Session]:
        if self.claims_engine is self.engine:
            return self.session_factory
        from bot.db.session import make_session_factory

        return make_session_factory(self.claims_engine)

    @cached_property
    def web_client(self) -> WebClient:
        """The one Slack Web API client (base URL from settings, retry handlers on)."""
        from bot.slack.client import build_web_client

        return build_web_client(self.settings)

    @cached_property
    def chat_model(self) -> ChatModel | None:
        """The LLM client, or None when no LLM is configured (drafts use the template)."""
        from bot.llm import build_chat_model

        return build_chat_model(self.settings)

    @cached_property
    def account_names(self) -> AccountNameCache:
        """Account names indexed for fuzzy resolution; rebuilt when the accounts change."""
        from bot.services.accounts.names import AccountNameCache

        return AccountNameCache()

    @cached_property
    def knowledge(self) -> KnowledgeToolkit:
        """Embedder + cache, vector store, playbooks, retriever, sentiment (each built lazily)."""
        from bot.services.corpus.toolkit import KnowledgeToolkit

        return KnowledgeToolkit(self.settings)
