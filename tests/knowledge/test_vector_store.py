"""Chroma behind explicit embeddings."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.errors import VectorStoreError
from knowledge.vector_store import ChromaVectorStore, build_chroma_client, collection_name


def test_upsert_query_filter_and_rebuild(chroma_client, hashing_embedder):
    store = ChromaVectorStore(chroma_client)
    texts = ["card declined on invoice", "login outage for all users", "invoice overdue"]
    store.upsert(
        "tickets-test",
        ids=["t1", "t2", "t3"],
        embeddings=hashing_embedder.embed(texts),
        documents=texts,
        metadatas=[{"account_id": "A1"}, {"account_id": "A1"}, {"account_id": "A2"}],
    )
    query = hashing_embedder.embed(["invoice card declined"])[0]
    hits = store.query("tickets-test", query, k=2)
    assert hits[0].id == "t1" and hits[0].similarity > hits[1].similarity
    only_a2 = store.query("tickets-test", query, k=5, where={"account_id": "A2"})
    assert [hit.id for hit in only_a2] == ["t3"]
    assert store.get_metadata("tickets-test", ["t2"]) == {"t2": {"account_id": "A1"}}
    store.drop("tickets-test")
    assert store.count("tickets-test") == 0


def test_writes_without_embeddings_are_refused(chroma_client):
    store = ChromaVectorStore(chroma_client)
    with pytest.raises(VectorStoreError, match="embeddings are required"):
        store.upsert("tickets-test", ids=["t1"], embeddings=None, documents=["x"])  # type: ignore[arg-type]
    with pytest.raises(VectorStoreError, match="1 ids but 2 embeddings"):
        store.upsert("tickets-test", ids=["t1"], embeddings=np.zeros((2, 4), dtype=np.float32))


def test_collection_names_carry_the_model():
    assert collection_name("tickets", "all-MiniLM-L6-v2") == "tickets--all-minilm-l6-v2"
    assert collection_name("tickets", "hashing-256") != collection_name(
        "tickets", "all-MiniLM-L6-v2"
    )


def test_persistent_client_keeps_data_and_bad_urls_fail(tmp_path, hashing_embedder):
    store = ChromaVectorStore(build_chroma_client(path=tmp_path / "chroma"))
    store.upsert("keep-me", ids=["a"], embeddings=hashing_embedder.embed(["kept"]))
    again = ChromaVectorStore(build_chroma_client(path=tmp_path / "chroma"))
    assert again.count("keep-me") == 1
    with pytest.raises(VectorStoreError, match="not an http"):
        build_chroma_client(url="ftp://chroma.local")
