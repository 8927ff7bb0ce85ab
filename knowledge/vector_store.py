"""Chroma behind a small interface that always takes explicit embeddings.

Chroma falls back to its default embedding function (which downloads a model)
whenever a call carries documents without embeddings, so every write here requires
``embeddings`` and collections are created with ``embedding_function=None``.
Collection names carry the embedding model id: vectors of two models never meet
in one collection (a hashing-embedder test store and the MiniLM store can coexist).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import numpy as np

from knowledge.errors import VectorStoreError

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

logger = logging.getLogger(__name__)

PLAYBOOK_STEPS = "playbook-steps"
TICKETS = "tickets"

MetadataValue = str | int | float | bool


@dataclass(frozen=True, slots=True)
class VectorHit:
    id: str
    similarity: float
    metadata: dict[str, Any]
    document: str | None


def build_chroma_client(*, path: Path | None = None, url: str | None = None) -> ClientAPI:
    """A persistent local client under ``path``, or an HTTP client when ``url`` is set.

    Telemetry is off: csbot never phones home.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url)
        if parsed.scheme not in {"http", "https"} or not parsed.hostname:
            raise VectorStoreError(f"CSBOT_CHROMA_URL {url!r} is not an http(s) URL")
        ssl = parsed.scheme == "https"
        return chromadb.HttpClient(
            host=parsed.hostname,
            port=parsed.port or (443 if ssl else 8000),
            ssl=ssl,
            settings=chroma_settings,
        )
    if path is None:
        raise VectorStoreError("a Chroma path or URL is required")
    Path(path).mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def collection_name(base: str, model_id: str) -> str:
    """``tickets`` + ``all-MiniLM-L6-v2`` → ``tickets--all-minilm-l6-v2`` (Chroma's rules)."""
    slug = re.sub(r"[^a-z0-9]+", "-", model_id.lower()).strip("-")
    return f"{base}--{slug}"[:500]


class ChromaVectorStore:
    """Upsert, query and rebuild collections; cosine space; explicit embeddings only."""

    def __init__(self, client: ClientAPI) -> None:
        self.client = client

    def _collection(self, name: str) -> Any:
        try:
            return self.client.get_or_create_collection(
                name, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
        except Exception as exc:  # chromadb raises several unrelated types here
            raise VectorStoreError(f"cannot open Chroma collection {name!r}: {exc}") from exc

    def drop(self, name: str) -> None:
        """Delete a collection if it exists (the first step of a rebuild)."""
        try:
            existing = {collection.name for collection in self.client.list_collections()}
            if name in existing:
                self.client.delete_collection(name)
        except Exception as exc:
            raise VectorStoreError(f"cannot delete Chroma collection {name!r}: {exc}") from exc

    def upsert(
        self,
        name: str,
        *,
        ids: Sequence[str],
        embeddings: np.ndarray,
        metadatas: Sequence[Mapping[str, MetadataValue]] | None = None,
        documents: Sequence[str] | None = None,
    ) -> int:
        """Write rows in batches the server accepts; returns the number written."""
        if embeddings is None:
            raise VectorStoreError("embeddings are required (Chroma's default model is never used)")
        if len(ids) != len(embeddings):
            raise VectorStoreError(f"{len(ids)} ids but {len(embeddings)} embeddings")
        if not ids:
            return 0
        collection = self._collection(name)
        batch = max(1, min(5000, int(self.client.get_max_batch_size())))
        for start in range(0, len(ids), batch):
            stop = start + batch
            try:
                collection.upsert(
                    ids=list(ids[start:stop]),
                    embeddings=np.asarray(embeddings[start:stop], dtype=np.float32),
                    metadatas=[dict(m) for m in metadatas[start:stop]] if metadatas else None,
                    documents=list(documents[start:stop]) if documents else None,
                )
            except Exception as exc:
                raise VectorStoreError(
                    f"cannot write to Chroma collection {name!r}: {exc}"
                ) from exc
        return len(ids)

    def query(
        self,
        name: str,
        embedding: np.ndarray,
        *,
        k: int,
        where: Mapping[str, Any] | None = None,
    ) -> list[VectorHit]:
        """Nearest rows, best first; similarity = 1 - cosine distance."""
        collection = self._collection(name)
        available = collection.count()
        if available == 0 or k <= 0:
            return []
        try:
            result = collection.query(
                query_embeddings=np.asarray(embedding, dtype=np.float32).reshape(1, -1),
                n_results=min(k, available),
                where=dict(where) if where else None,
                include=["metadatas", "documents", "distances"],
            )
        except Exception as exc:
            raise VectorStoreError(f"cannot query Chroma collection {name!r}: {exc}") from exc
        ids = result["ids"][0]
        distances = result["distances"][0] if result.get("distances") else [1.0] * len(ids)
        metadatas = result["metadatas"][0] if result.get("metadatas") else [{}] * len(ids)
        documents = result["documents"][0] if result.get("documents") else [None] * len(ids)
        return [
            VectorHit(id=i, similarity=1.0 - float(d), metadata=dict(m or {}), document=doc)
            for i, d, m, doc in zip(ids, distances, metadatas, documents, strict=True)
        ]

    def get_metadata(
        self, name: str, ids: Sequence[str] | None = None
    ) -> dict[str, dict[str, Any]]:
        """Metadata by id (all rows when ``ids`` is None)."""
        collection = self._collection(name)
        result = collection.get(ids=list(ids) if ids is not None else None, include=["metadatas"])
        return {i: dict(m or {}) for i, m in zip(result["ids"], result["metadatas"], strict=True)}

    def get_embeddings(self, name: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        collection = self._collection(name)
        result = collection.get(ids=list(ids), include=["embeddings"])
        return {
            i: np.asarray(e, dtype=np.float32)
            for i, e in zip(result["ids"], result["embeddings"], strict=True)
        }

    def delete(self, name: str, ids: Sequence[str]) -> None:
        if ids:
            self._collection(name).delete(ids=list(ids))

    def count(self, name: str) -> int:
        return int(self._collection(name).count())
