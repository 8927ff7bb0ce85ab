"""The content-hash embedding cache: a text is encoded once, ever."""

from __future__ import annotations

import numpy as np

from bot.db.embedding_cache import SqliteEmbeddingCache
from knowledge.embedding_cache import CachedEmbedder, content_key
from knowledge.embeddings import HashingEmbedder


def test_second_run_over_the_same_texts_encodes_nothing(tmp_path):
    texts = ["card declined", "login outage", "card declined", "export is slow"]
    inner = HashingEmbedder()
    embedder = CachedEmbedder(inner, SqliteEmbeddingCache(tmp_path / "cache.sqlite3"))

    first = embedder.embed(texts)
    assert inner.texts_encoded == 3  # the duplicate is encoded once
    second = embedder.embed(texts)
    assert inner.texts_encoded == 3
    np.testing.assert_array_equal(first, second)
    assert embedder.stats.encoded == 3 and embedder.stats.cache_hits == 5


def test_cache_survives_the_process_and_a_changed_text_is_a_new_key(tmp_path):
    path = tmp_path / "cache.sqlite3"
    CachedEmbedder(HashingEmbedder(), SqliteEmbeddingCache(path)).embed(["refund please"])

    inner = HashingEmbedder()
    embedder = CachedEmbedder(inner, SqliteEmbeddingCache(path))
    embedder.embed(["refund please"])
    assert inner.texts_encoded == 0
    embedder.embed(["refund please!"])
    assert inner.texts_encoded == 1
    assert len(SqliteEmbeddingCache(path)) == 2


def test_keys_depend_on_model_and_text():
    assert content_key("m1", "hello") != content_key("m2", "hello")
    assert content_key("m1", "hello") != content_key("m1", "hello ")
    assert content_key("m1", "hello") == content_key("m1", "hello")


def test_cached_vectors_are_the_models_vectors(tmp_path):
    inner = HashingEmbedder()
    embedder = CachedEmbedder(inner, SqliteEmbeddingCache(tmp_path / "c.sqlite3"), chunk_size=2)
    texts = [f"ticket number {i} about invoices" for i in range(5)]
    np.testing.assert_allclose(embedder.embed(texts), HashingEmbedder().embed(texts), rtol=1e-6)
    assert embedder.embed([]).shape == (0, inner.dimension)
