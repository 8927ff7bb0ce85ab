"""Playbook retrieval: free text (+ account signals) → ranked playbooks with matching steps.

The score is a hybrid, because neither half is enough on its own:

- embedding similarity of the text to each playbook's profile (title + summary), to
  its trigger phrases and to its steps catches paraphrases ("their card bounced"
  ~ "payment failure") that share no word with the playbook;
- lexical trigger matching rewards the exact vocabulary CSMs and tickets use
  ("NPS 3", "SSO", "QBR") that a small sentence model blurs;
- account signals (an overdue invoice, a renewal in 60 days) add a fixed boost so
  that, for the same words, the playbook the account's data points to wins; a
  survey score quoted in the text ("NPS 3") counts as a signal too.

The weights were tuned on the *train* half of ``knowledge/eval/situations.jsonl``
only (``bench/tune_retrieval.py``); the test half is for reporting.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.models import Playbook, PlaybookMatch, StepMatch
from knowledge.protocols import Embedder
from knowledge.text import content_stems
from knowledge.text_signals import signals_from_text
from knowledge.vector_store import PLAYBOOK_STEPS, ChromaVectorStore, collection_name

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetrievalWeights:
    """How much each kind of evidence counts in the final score."""

    profile: float = 0.2
    trigger_semantic: float = 0.3
    step_semantic: float = 0.3
    trigger_lexical: float = 0.1
    signal: float = 0.15
    text_signal: float = 0.2
    steps_returned: int = 3


DEFAULT_WEIGHTS = RetrievalWeights()


@dataclass(frozen=True, slots=True)
class PlaybookDocument:
    """One indexed text of a playbook: its profile, a trigger phrase, or a step."""

    id: str
    playbook_id: str
    kind: str  # profile | trigger | step
    number: int
    text: str


def playbook_documents(playbooks: Mapping[str, Playbook]) -> list[PlaybookDocument]:
    documents: list[PlaybookDocument] = []
    for playbook in playbooks.values():
        profile = f"{playbook.title}. {playbook.summary}".strip()
        documents.append(
            PlaybookDocument(f"{playbook.id}#profile", playbook.id, "profile", 0, profile)
        )
        for index, trigger in enumerate(playbook.triggers, start=1):
            documents.append(
                PlaybookDocument(
                    f"{playbook.id}#trigger-{index}", playbook.id, "trigger", index, trigger
                )
            )
        for step in playbook.steps:
            documents.append(
                PlaybookDocument(
                    f"{playbook.id}#step-{step.number}", playbook.id, "step", step.number, step.text
                )
            )
    return documents


def _fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def lexical_trigger_scores(
    text: str, playbooks: Mapping[str, Playbook]
) -> dict[str, tuple[float, tuple[str, ...]]]:
    """Per playbook: the best share of a trigger's content words found in the text.

    A trigger counts when at least half of its content words appear (after crude
    stemming); the playbook's score is its best trigger's share, and the matched
    triggers are returned as evidence.
    """
    present = set(content_stems(text))
    scores: dict[str, tuple[float, tuple[str, ...]]] = {}
    for playbook in playbooks.values():
        best = 0.0
        matched: list[str] = []
        for trigger in playbook.triggers:
            stems = set(content_stems(trigger))
            if not stems:
                continue
            share = len(stems & present) / len(stems)
            if share >= 0.5:
                matched.append(trigger)
                best = max(best, share)
        scores[playbook.id] = (best, tuple(matched))
    return scores


class PlaybookRetriever:
    """Ranks playbooks for a text; the playbook texts live in a Chroma collection."""

    def __init__(
        self,
        playbooks: Mapping[str, Playbook],
        embedder: Embedder,
        store: ChromaVectorStore,
        *,
        weights: RetrievalWeights = DEFAULT_WEIGHTS,
        query_embedder: Embedder | None = None,
    ) -> None:
        self.playbooks = dict(playbooks)
        self.embedder = embedder
        # Questions are one-off texts: embedding them without the persistent cache
        # keeps a disk write off every suggestion (must be the same model).
        self.query_embedder = query_embedder or embedder
        if self.query_embedder.model_id != embedder.model_id:
            raise ValueError("the query embedder must use the same model as the index")
        self.store = store
        self.weights = weights
        self.collection = collection_name(PLAYBOOK_STEPS, embedder.model_id)
        self._documents = playbook_documents(self.playbooks)
        self._doc_index = {doc.id: row for row, doc in enumerate(self._documents)}
        self._matrix: np.ndarray | None = None
        self._indexed = False

    def ensure_indexed(self, *, force: bool = False) -> int:
        """Make the collection hold exactly the current playbook texts.

        Cheap when nothing changed (one metadata read); otherwise (or with ``force``)
        the collection is rebuilt, with vectors from the embedder (cached texts are
        not re-encoded).

        Returns:
            How many documents were (re)written; 0 when the index was current.
        """
        if self._indexed and not force:
            return 0
        wanted = {doc.id: _fingerprint(doc.text) for doc in self._documents}
        stored = {} if force else self.store.get_metadata(self.collection)
        current = {doc_id: str(meta.get("content_hash")) for doc_id, meta in stored.items()}
        written = 0
        if force or current != wanted:
            self.store.drop(self.collection)
            vectors = self.embedder.embed([doc.text for doc in self._documents])
            written = self.store.upsert(
                self.collection,
                ids=[doc.id for doc in self._documents],
                embeddings=vectors,
                documents=[doc.text for doc in self._documents],
                metadatas=[
                    {
                        "playbook_id": doc.playbook_id,
                        "kind": doc.kind,
                        "number": doc.number,
                        "content_hash": wanted[doc.id],
                    }
                    for doc in self._documents
                ],
            )
            logger.info("playbook index rebuilt", extra={"documents": written})
        # The vectors are read back from the store once; scoring ~170 texts is an exact
        # in-memory dot product (sub-millisecond, no per-query round trip to Chroma).
        vectors_by_id = self.store.get_embeddings(self.collection, list(self._doc_index))
        self._matrix = np.vstack([vectors_by_id[doc.id] for doc in self._documents])
        self._indexed = True
        return written

    def suggest(self, text: str, *, signals: Iterable[str] = (), k: int = 3) -> list[PlaybookMatch]:
        """The ``k`` best playbooks for one text, best first."""
        vector = self.query_embedder.embed([text])[0] if text.strip() else None
        return self._rank(text, vector, frozenset(signals), k)

    def suggest_many(
        self, texts: Sequence[str], *, signals: Iterable[str] = (), k: int = 3
    ) -> list[list[PlaybookMatch]]:
        """Rank several texts with one batched embedding call."""
        signal_set = frozenset(signals)
        vectors = self.query_embedder.embed(list(texts)) if texts else np.zeros((0, 1))
        return [
            self._rank(text, vectors[index] if text.strip() else None, signal_set, k)
            for index, text in enumerate(texts)
        ]

    def _rank(
        self, text: str, vector: np.ndarray | None, signals: frozenset[str], k: int
    ) -> list[PlaybookMatch]:
        self.ensure_indexed()
        weights = self.weights
        similarities: dict[str, float] = {}
        if vector is not None:
            if self._matrix is None:  # pragma: no cover - ensure_indexed always sets it
                raise RuntimeError("playbook index not loaded")
            scores = self._matrix @ np.asarray(vector, dtype=np.float32)
            similarities = dict(zip(self._doc_index, scores.tolist(), strict=True))
        lexical = lexical_trigger_scores(text, self.playbooks)
        quoted = signals_from_text(text)
        matches: list[PlaybookMatch] = []
        for playbook in self.playbooks.values():
            profile = similarities.get(f"{playbook.id}#profile", 0.0)
            trigger_sims = [
                similarities.get(f"{playbook.id}#trigger-{i}", 0.0)
                for i in range(1, len(playbook.triggers) + 1)
            ]
            step_sims = {
                step.number: similarities.get(f"{playbook.id}#step-{step.number}", 0.0)
                for step in playbook.steps
            }
            trigger_semantic = max(trigger_sims, default=0.0)
            step_semantic = max(step_sims.values(), default=0.0)
            semantic = (
                weights.profile * profile
                + weights.trigger_semantic * trigger_semantic
                + weights.step_semantic * step_semantic
            )
            lexical_score, matched_triggers = lexical[playbook.id]
            matched_signals = tuple(
                signal for signal in playbook.signals if signal in signals or signal in quoted
            )
            account_signal = any(signal in signals for signal in playbook.signals)
            text_signal = any(signal in quoted for signal in playbook.signals)
            signal_score = weights.signal * account_signal + weights.text_signal * text_signal
            score = semantic + weights.trigger_lexical * lexical_score + signal_score
            best_steps = sorted(step_sims.items(), key=lambda item: (-item[1], item[0]))
            chosen = (
                sorted(best_steps[: weights.steps_returned])
                if vector is not None
                else [(step.number, 0.0) for step in playbook.steps[: weights.steps_returned]]
            )
            matches.append(
                PlaybookMatch(
                    playbook=playbook,
                    score=float(score),
                    semantic=float(semantic),
                    trigger=float(lexical_score),
                    signal=float(signal_score),
                    matched_triggers=matched_triggers,
                    matched_signals=matched_signals,
                    steps=tuple(
                        StepMatch(step=playbook.step(number), similarity=float(similarity))
                        for number, similarity in chosen
                    ),
                )
            )
        matches.sort(key=lambda match: (-match.score, match.playbook.id))
        return matches[: max(0, k)]
