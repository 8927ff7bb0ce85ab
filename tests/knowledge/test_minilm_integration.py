"""The real MiniLM model: retrieval quality on the held-out situations, sentiment vs VADER.

These are the acceptance thresholds of the knowledge issue, asserted on the *test*
half of knowledge/eval/situations.jsonl, which tuning never used.
"""

from __future__ import annotations

import pytest

from knowledge.embeddings import (
    SentenceTransformerEmbedder,
    bundled_minilm_path,
    load_sentence_transformer,
)
from knowledge.playbooks import load_playbooks
from knowledge.retrieval import PlaybookRetriever
from knowledge.sentiment import (
    SITUATIONS_PATH,
    EmbeddingSentimentClassifier,
    VaderSentimentScorer,
    default_training_examples,
    read_jsonl,
)
from knowledge.vector_store import ChromaVectorStore

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def test_half() -> list[dict]:
    rows = [row for row in read_jsonl(SITUATIONS_PATH) if row["split"] == "test"]
    assert len(rows) >= 50
    return rows


def test_model_is_loaded_once_per_process(minilm):
    assert minilm.is_loaded
    assert SentenceTransformerEmbedder().model is minilm.model
    assert load_sentence_transformer(bundled_minilm_path()) is minilm.model
    vectors = minilm.embed(["card declined", "payment failed"])
    assert vectors.shape == (2, 384)
    assert float(vectors[0] @ vectors[1]) > 0.3


def test_playbook_retrieval_meets_the_thresholds_on_the_test_half(
    cached_minilm, chroma_client, test_half
):
    retriever = PlaybookRetriever(load_playbooks(), cached_minilm, ChromaVectorStore(chroma_client))
    ranked = retriever.suggest_many([row["text"] for row in test_half], k=3)
    top1 = sum(
        r[0].playbook.id == row["playbook"] for r, row in zip(ranked, test_half, strict=True)
    ) / len(test_half)
    top3 = sum(
        row["playbook"] in [m.playbook.id for m in r]
        for r, row in zip(ranked, test_half, strict=True)
    ) / len(test_half)
    assert top1 >= 0.75, f"top-1 {top1:.3f}"
    assert top3 >= 0.9, f"top-3 {top3:.3f}"


def test_embedding_sentiment_beats_vader_on_the_test_half(cached_minilm, test_half):
    classifier = EmbeddingSentimentClassifier(cached_minilm).fit(default_training_examples())
    texts = [row["text"] for row in test_half]
    truth = [row["sentiment"] for row in test_half]

    def accuracy(results):
        return sum(r.label == t for r, t in zip(results, truth, strict=True)) / len(truth)

    ours = accuracy(classifier.score_texts(texts))
    vader = accuracy(VaderSentimentScorer().score_texts(texts))
    assert ours > vader, (ours, vader)
    assert ours >= 0.6
