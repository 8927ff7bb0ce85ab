"""Embeddings with a content-hash cache: a text is embedded once, ever.

``CachedEmbedder`` consults an :class:`EmbeddingCache` (a Protocol) before the model.
The persistent cache is a store concern and lives in ``bot.db.embedding_cache``; an
in-memory one here serves unit tests and one-off scripts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.protocols import Embedder, EmbeddingCache


def content_key(model_id: str, text: str) -> str:
    """The cache key: the model and the exact text, hashed (a changed text is a new key)."""
    return hashlib.sha256(f"{model_id}\x1f{text}".encode()).hexdigest()


class InMemoryEmbeddingCache:
    """A dict-backed cache for unit tests and one-off scripts."""

    def __init__(self) -> None:
        self._vectors: dict[str, np.ndarray] = {}

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        return {key: self._vectors[key] for key in keys if key in self._vectors}

    def put_many(self, vectors: Mapping[str, np.ndarray]) -> None:
        for key, vector in vectors.items():
            self._vectors.setdefault(key, np.asarray(vector, dtype=np.float32))

    def __len__(self) -> int:
        return len(self._vectors)


@dataclass
class EmbeddingStats:
    """Counts since the embedder was built: how much work the cache saved."""

    requested: int = 0
    cache_hits: int = 0
    encoded: int = 0


class CachedEmbedder:
    """An :class:`Embedder` that consults the cache first and encodes only the misses.

    Misses are de-duplicated and encoded in large batches (``chunk_size`` texts per
    model call, written to the cache after each chunk so an interrupted run keeps its
    progress). The inner model is never touched when every text is cached, so a
    rerun over unchanged tickets does not even load it.
    """

    def __init__(self, inner: Embedder, cache: EmbeddingCache, *, chunk_size: int = 1024) -> None:
        self.inner = inner
        self.cache = cache
        self.chunk_size = chunk_size
        self.stats = EmbeddingStats()

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        keys = [content_key(self.model_id, text) for text in texts]
        known = self.cache.get_many(keys)
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in known and key not in missing:
                missing[key] = text
        missing_keys = list(missing)
        for start in range(0, len(missing_keys), self.chunk_size):
            chunk_keys = missing_keys[start : start + self.chunk_size]
            vectors = self.inner.embed([missing[key] for key in chunk_keys])
            fresh = dict(zip(chunk_keys, vectors, strict=True))
            self.cache.put_many(fresh)
            known.update(fresh)
        self.stats.requested += len(texts)
        self.stats.encoded += len(missing_keys)
        self.stats.cache_hits += len(texts) - len(missing_keys)
        return np.vstack([known[key] for key in keys]).astype(np.float32, copy=False)
