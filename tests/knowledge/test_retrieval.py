"""Hybrid playbook retrieval with the hashing embedder (ranking logic, not model quality)."""

from __future__ import annotations

from knowledge.embedding_cache import CachedEmbedder, InMemoryEmbeddingCache
from knowledge.playbooks import load_playbooks
from knowledge.retrieval import PlaybookRetriever, lexical_trigger_scores
from knowledge.vector_store import ChromaVectorStore


def make_retriever(chroma_client, hashing_embedder):
    embedder = CachedEmbedder(hashing_embedder, InMemoryEmbeddingCache())
    return PlaybookRetriever(load_playbooks(), embedder, ChromaVectorStore(chroma_client))


def test_lexical_triggers_match_inflected_words():
    scores = lexical_trigger_scores("Their card was declined twice", load_playbooks())
    score, matched = scores["payment-failure"]
    assert score == 1.0 and matched == ("card declined",)
    assert scores["advocacy"] == (0.0, ())


def test_best_playbook_comes_first_with_steps_in_order(chroma_client, hashing_embedder):
    retriever = make_retriever(chroma_client, hashing_embedder)
    matches = retriever.suggest("the invoice failed and the card was declined", k=3)
    assert len(matches) == 3
    assert matches[0].playbook.id == "payment-failure"
    assert matches[0].score > matches[1].score >= matches[2].score
    numbers = [step.step.number for step in matches[0].steps]
    assert numbers == sorted(numbers) and len(numbers) == 3


def test_account_signals_break_ties_and_are_reported(chroma_client, hashing_embedder):
    retriever = make_retriever(chroma_client, hashing_embedder)
    plain = {m.playbook.id: m.score for m in retriever.suggest("what should I do?", k=12)}
    boosted = retriever.suggest("what should I do?", signals={"renewal_due"}, k=12)
    assert boosted[0].playbook.id == "renewal"
    assert boosted[0].matched_signals == ("renewal_due",)
    assert boosted[0].score > plain["renewal"]


def test_quoted_nps_score_points_to_the_detractor_playbook(chroma_client, hashing_embedder):
    retriever = make_retriever(chroma_client, hashing_embedder)
    assert retriever.suggest("NPS 2 from the ops lead", k=1)[0].playbook.id == "nps-detractor"


def test_index_is_built_once_and_rebuilt_when_playbooks_change(chroma_client, hashing_embedder):
    retriever = make_retriever(chroma_client, hashing_embedder)
    assert retriever.ensure_indexed() > 100
    again = make_retriever(chroma_client, hashing_embedder)
    assert again.ensure_indexed() == 0  # the stored texts are current
    playbooks = load_playbooks()
    playbooks.pop("advocacy")
    changed = PlaybookRetriever(playbooks, again.embedder, again.store)
    assert changed.ensure_indexed() > 0
    assert all(m.playbook.id != "advocacy" for m in changed.suggest("promoter reference", k=11))


def test_batch_and_single_suggestions_agree(chroma_client, hashing_embedder):
    retriever = make_retriever(chroma_client, hashing_embedder)
    texts = ["we want to cancel", "renewal in 90 days"]
    batch = retriever.suggest_many(texts, k=2)
    singles = [retriever.suggest(text, k=2) for text in texts]
    assert [[m.playbook.id for m in r] for r in batch] == [
        [m.playbook.id for m in r] for r in singles
    ]
