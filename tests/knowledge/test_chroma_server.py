"""CSBOT_CHROMA_URL: the toolkit talks to a real Chroma server over HTTP (started here)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.services.corpus.toolkit import KnowledgeToolkit
from knowledge.embedding_cache import InMemoryEmbeddingCache
from knowledge.embeddings import HashingEmbedder
from knowledge.vector_store import build_chroma_client
from tests.conftest import make_settings

CHROMA = Path(sys.executable).with_name("chroma")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def chroma_url(tmp_path):
    if not CHROMA.exists() and shutil.which("chroma") is None:
        pytest.skip("the chroma server CLI is not installed")
    port = free_port()
    server = subprocess.Popen(
        [
            str(CHROMA),
            "run",
            "--path",
            str(tmp_path / "server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                build_chroma_client(url=url).heartbeat()
                break
            except Exception:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_retrieval_over_a_chroma_server(tmp_path, chroma_url):
    settings = make_settings(tmp_path, "sqlite://", CSBOT_CHROMA_URL=chroma_url)
    toolkit = KnowledgeToolkit(settings, embedder=HashingEmbedder(), cache=InMemoryEmbeddingCache())
    assert toolkit.retriever.ensure_indexed() > 100
    assert (
        toolkit.retriever.suggest("the card was declined", k=1)[0].playbook.id == "payment-failure"
    )
    remote = build_chroma_client(url=chroma_url)
    assert toolkit.retriever.collection in {c.name for c in remote.list_collections()}
    assert not settings.chroma_path.exists()  # nothing local when a server is configured
