"""A persistent embedding cache keyed by content hash: a text is embedded once, ever.

Why a private SQLite file under ``var/embeddings/`` rather than the SQL store or Chroma:

- it is a derived, disposable artefact (delete it and the next run re-embeds), not
  customer data, so it stays out of the PostgreSQL backups and migrations;
- it survives ``csbot knowledge reindex`` (which drops and rebuilds the Chroma
  collections) and works the same whether Chroma is local or a remote server;
- a key lookup and a BLOB insert cost microseconds, so the cached pipeline keeps
  well over 80% of the raw model's throughput on cold text (see bench/), while a
  Chroma collection would build an HNSW index for vectors nobody searches;
- SQLite in WAL mode is safe with the bot, the jobs and a CLI run writing at once.

The file is only ever touched through three fixed statements with bound
parameters; texts never reach it (keys are SHA-256 digests).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.protocols import Embedder, EmbeddingCache

_LOOKUP_CHUNK = 500


def content_key(model_id: str, text: str) -> str:
    """The cache key: the model and the exact text, hashed (a changed text is a new key)."""
    return hashlib.sha256(f"{model_id}\x1f{text}".encode()).hexdigest()


class SqliteEmbeddingCache:
    """Vectors in one SQLite file; safe across threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS vectors ("
                "key TEXT PRIMARY KEY, dimension INTEGER NOT NULL, vector BLOB NOT NULL)"
            )
            connection.commit()
            self._connection = connection
        return self._connection

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        with self._lock:
            connection = self._connect()
            for start in range(0, len(unique), _LOOKUP_CHUNK):
                chunk = unique[start : start + _LOOKUP_CHUNK]
                placeholders = ",".join("?" * len(chunk))
                rows = connection.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({placeholders})",  # noqa: S608
                    chunk,
                ).fetchall()
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, vectors: Mapping[str, np.ndarray]) -> None:
        if not vectors:
            return
        rows = [
            (key, int(vector.shape[-1]), np.asarray(vector, dtype=np.float32).tobytes())
            for key, vector in vectors.items()
        ]
        with self._lock:
            connection = self._connect()
            connection.executemany(
                "INSERT OR IGNORE INTO vectors (key, dimension, vector) VALUES (?, ?, ?)", rows
            )
            connection.commit()

    def __len__(self) -> int:
        with self._lock:
            return int(self._connect().execute("SELECT count(*) FROM vectors").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


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
