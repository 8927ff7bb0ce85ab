"""Knowledge fixtures: a hashing embedder and an ephemeral Chroma for unit tests, the real
MiniLM model (loaded once per session) for integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.services import Services
from bot.services.corpus.toolkit import KnowledgeToolkit
from knowledge.embedding_cache import InMemoryEmbeddingCache
from knowledge.embeddings import HashingEmbedder, SentenceTransformerEmbedder


@pytest.fixture
def hashing_embedder() -> HashingEmbedder:
    return HashingEmbedder(dimension=256)


@pytest.fixture
def chroma_client() -> Iterator[object]:
    """An in-memory Chroma; collections are dropped afterwards (clients share one system)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    for collection in client.list_collections():
        client.delete_collection(collection.name)
    yield client
    for collection in client.list_collections():
        client.delete_collection(collection.name)


@pytest.fixture
def hashing_services(
    sqlite_services: Services, hashing_embedder: HashingEmbedder, chroma_client: object
) -> Services:
    """SQLite services whose knowledge toolkit uses the hashing embedder and ephemeral Chroma."""
    sqlite_services.knowledge = KnowledgeToolkit(  # type: ignore[misc]
        sqlite_services.settings,
        embedder=hashing_embedder,
        cache=InMemoryEmbeddingCache(),
        chroma_client=chroma_client,
    )
    return sqlite_services


@pytest.fixture(scope="session")
def minilm() -> SentenceTransformerEmbedder:
    """The real bundled model, loaded once for the whole test session."""
    embedder = SentenceTransformerEmbedder()
    embedder.embed(["warm up"])
    return embedder


@pytest.fixture(scope="session")
def cached_minilm(minilm: SentenceTransformerEmbedder):
    """The real model behind one in-memory cache shared by the integration tests."""
    from knowledge.embedding_cache import CachedEmbedder

    return CachedEmbedder(minilm, InMemoryEmbeddingCache())
