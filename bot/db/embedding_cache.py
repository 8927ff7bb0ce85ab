"""A persistent embedding cache keyed by content hash (implements knowledge's EmbeddingCache).

Why a private SQLite file under ``var/embeddings/`` rather than the SQL store or Chroma:

- it is a derived, disposable artefact (delete it and the next run re-embeds), not
  customer data, so it stays out of the PostgreSQL backups and migrations;
- it survives ``csbot knowledge reindex`` (which drops and rebuilds the Chroma
  collections) and works the same whether Chroma is local or a remote server;
- a key lookup and a BLOB insert cost microseconds, so the cached pipeline keeps
  well over 80% of the raw model's throughput on cold text (see bench/), while a
  Chroma collection would build an HNSW index for vectors nobody searches;
- SQLite in WAL mode is safe with the bot, the jobs and a CLI run writing at once.

The file is only ever touched through fixed statements with bound parameters; texts
never reach it (keys are SHA-256 digests).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

_LOOKUP_CHUNK = 500


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
