"""The knowledge collaborators of one process, each built on first use.

``Services.knowledge`` holds one of these. Nothing here loads torch or opens Chroma
until a feature asks for it, so the plain question path stays fast; and each part
is built once, so the model is loaded once per process.

Unit tests pass a hashing embedder and an ephemeral Chroma client instead of the
real ones; everything else (cache, retriever, classifier) is the production code.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING, Any

from bot.settings import Settings

if TYPE_CHECKING:
    from knowledge.churn_intent import ChurnIntentDetector
    from knowledge.embedding_cache import CachedEmbedder
    from knowledge.models import Playbook
    from knowledge.protocols import Embedder, EmbeddingCache
    from knowledge.retrieval import PlaybookRetriever
    from knowledge.sentiment import EmbeddingSentimentClassifier
    from knowledge.vector_store import ChromaVectorStore


class KnowledgeToolkit:
    """Embedder (with its cache), vector store, playbooks, retriever, sentiment, churn intent."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        cache: EmbeddingCache | None = None,
        chroma_client: Any | None = None,
    ) -> None:
        self.settings = settings
        self._inner_embedder = embedder
        self._cache = cache
        self._chroma_client = chroma_client
        self._lock = threading.RLock()

    @cached_property
    def embedder(self) -> CachedEmbedder:
        """Every embedding goes through the content-hash cache (a text is encoded once)."""
        from bot.db.embedding_cache import SqliteEmbeddingCache
        from knowledge.embedding_cache import CachedEmbedder

        inner = self._inner_embedder or self._configured_embedder()
        cache = self._cache or SqliteEmbeddingCache(
            self.settings.data_dir / "embeddings" / "cache.sqlite3"
        )
        return CachedEmbedder(inner, cache)

    def _configured_embedder(self) -> Embedder:
        """The embedder ``CSBOT_EMBEDDER`` names (MiniLM unless told otherwise)."""
        from knowledge.embeddings import HashingEmbedder, SentenceTransformerEmbedder

        if self.settings.embedder == "hashing":
            return HashingEmbedder()
        return SentenceTransformerEmbedder()

    @cached_property
    def vector_store(self) -> ChromaVectorStore:
        from knowledge.vector_store import ChromaVectorStore, build_chroma_client

        client = self._chroma_client or build_chroma_client(
            path=self.settings.chroma_path, url=self.settings.chroma_url
        )
        return ChromaVectorStore(client)

    @cached_property
    def playbooks(self) -> dict[str, Playbook]:
        from knowledge.playbooks import load_playbooks

        return load_playbooks(self.settings.playbooks_dir)

    @cached_property
    def retriever(self) -> PlaybookRetriever:
        from knowledge.retrieval import PlaybookRetriever

        with self._lock:
            return PlaybookRetriever(
                self.playbooks,
                self.embedder,
                self.vector_store,
                query_embedder=self.embedder.inner,
            )

    @cached_property
    def sentiment(self) -> EmbeddingSentimentClassifier:
        from knowledge.sentiment import EmbeddingSentimentClassifier, default_training_examples

        with self._lock:
            return EmbeddingSentimentClassifier(self.embedder).fit(default_training_examples())

    @cached_property
    def churn_intent(self) -> ChurnIntentDetector:
        """Explicit churn phrases plus a classifier trained on the shipped tuning set."""
        from knowledge.churn_intent import ChurnIntentDetector, default_churn_examples

        with self._lock:
            return ChurnIntentDetector(self.embedder).fit(default_churn_examples())
