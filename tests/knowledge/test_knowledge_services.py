"""Knowledge use cases on a real store (SQLite and PostgreSQL), with the hashing embedder."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.db.knowledge_repo import account_sentiment_trend
from bot.db.session import unit_of_work
from bot.errors import AccountNotFound, UserFacingError
from bot.services import Services
from bot.services.corpus.indexing import refresh_knowledge, reindex_knowledge
from bot.services.corpus.playbooks import account_signals, suggest_playbooks
from bot.services.corpus.themes import (
    account_scope,
    assign_new_tickets,
    list_themes,
    rebuild_themes,
)
from bot.services.corpus.toolkit import KnowledgeToolkit
from bot.sources.importer import import_folder
from knowledge.embedding_cache import InMemoryEmbeddingCache
from knowledge.embeddings import HashingEmbedder
from tests.knowledge.store import build_knowledge_folder


@pytest.fixture
def store(services: Services, tmp_path, chroma_client) -> Services:
    """Both backends, the tiny contract folder imported, a hashing-embedder toolkit."""
    import_folder(build_knowledge_folder(tmp_path / "contract"), services.engine)
    services.knowledge = KnowledgeToolkit(  # type: ignore[misc]
        services.settings,
        embedder=HashingEmbedder(),
        cache=InMemoryEmbeddingCache(),
        chroma_client=chroma_client,
    )
    return services


def test_reindex_scores_sentiment_and_feeds_the_trend(store: Services):
    report = reindex_knowledge(store)
    assert report.tickets_indexed == 10 and report.playbook_documents > 100
    assert report.sentiment.tickets_scored == 10 and report.sentiment.nps_scored == 3

    with unit_of_work(store.session_factory) as session:
        trend = account_sentiment_trend(session=session, as_of=datetime.now(UTC).date())
    assert list(trend["account_id"]) == ["A1", "A2"]
    acme = trend.set_index("account_id").loc["A1"]
    # A1: 4 tickets + 1 NPS comment in the last 30 days; 2 tickets + 1 comment before.
    assert acme["recent_count"] == 5 and acme["prior_count"] == 3
    assert -1 <= acme["recent_mean"] <= 1
    assert acme["change"] == pytest.approx(acme["recent_mean"] - acme["prior_mean"])

    again = reindex_knowledge(store)
    assert again.embedded == 0  # everything came from the cache
    assert again.sentiment.tickets_scored == 0 and again.sentiment.unchanged == 13


def test_themes_are_stored_and_new_tickets_join_them(store: Services, tmp_path):
    reindex_knowledge(store)
    themes = rebuild_themes(store, account_scope("A1"))
    assert sum(theme.size for theme in themes) == 6
    assert list_themes(store, account_scope("A1")) == themes
    assert all(0 <= theme.negative_share <= 1 and theme.examples for theme in themes)

    extra = [("T11", "A1", 1, "Card declined again", "Our card was declined on the invoice again.")]
    import_folder(build_knowledge_folder(tmp_path / "more", extra_tickets=extra), store.engine)
    report = refresh_knowledge(store)
    assert report.tickets_indexed == 1 and report.embedded >= 1
    assert report.themes_assigned == 1
    assert sum(theme.size for theme in list_themes(store, account_scope("A1"))) == 7
    assert assign_new_tickets(store) == 0


def test_suggestions_use_the_accounts_signals(hashing_services: Services, tmp_path):
    import_folder(build_knowledge_folder(tmp_path / "contract"), hashing_services.engine)
    signals = account_signals(hashing_services, "A1")
    assert {"payment_failed", "renewal_due", "nps_detractor"} <= signals
    suggestions = suggest_playbooks(hashing_services, "", account_id="A1", k=3)
    assert suggestions[0].matched_signals
    assert {s.playbook_id for s in suggestions} <= {
        "payment-failure",
        "renewal",
        "nps-detractor",
        "support-escalation",
        "advocacy",
    }
    with pytest.raises(AccountNotFound):
        suggest_playbooks(hashing_services, "help", account_id="nope")
    with pytest.raises(UserFacingError, match="Describe the situation"):
        suggest_playbooks(hashing_services, "  ")
