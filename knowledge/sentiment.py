"""Ticket and survey-comment sentiment: a classifier on sentence embeddings, and VADER.

The embedding classifier is a multinomial logistic regression on MiniLM vectors,
trained on labelled customer-success texts shipped with csbot
(``knowledge/sentiment_data/training.jsonl`` plus the *train* half of the situation
set). It reads "the export keeps timing out before our audit" as negative although
no word in it is; VADER, a word lexicon, is kept as the baseline it is benchmarked
against (``bench/knowledge_eval.py``).

The score is P(positive) - P(negative), so it lives in [-1, 1] and is near 0 for
neutral requests; the label is the most probable class.

Training takes well under a second once the training texts' embeddings are cached,
so the classifier is trained in-process on first use instead of being shipped as a
pickle that could drift from the code or the model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.jsonl import read_jsonl
from knowledge.models import SENTIMENT_LABELS, SentimentLabel, SentimentResult
from knowledge.protocols import Embedder

SENTIMENT_DATA_DIR = Path(__file__).resolve().parent / "sentiment_data"
TRAINING_PATH = SENTIMENT_DATA_DIR / "training.jsonl"
SITUATIONS_PATH = Path(__file__).resolve().parent / "eval" / "situations.jsonl"
VADER_MODEL_ID = "vader-3.3"


@dataclass(frozen=True, slots=True)
class LabelledText:
    text: str
    label: SentimentLabel


def _labelled(
    rows: Iterable[dict[str, Any]], text_key: str, label_key: str, path: Path
) -> list[LabelledText]:
    examples = []
    for row in rows:
        label = row.get(label_key)
        if label not in SENTIMENT_LABELS:
            raise ValueError(f"{path}: label {label!r} is not one of {SENTIMENT_LABELS}")
        examples.append(LabelledText(text=str(row[text_key]), label=label))
    return examples


def default_training_examples() -> list[LabelledText]:
    """The shipped training texts plus the train half of the situation set (never the test half)."""
    examples = _labelled(read_jsonl(TRAINING_PATH), "text", "label", TRAINING_PATH)
    situations = [row for row in read_jsonl(SITUATIONS_PATH) if row.get("split") == "train"]
    examples += _labelled(situations, "text", "sentiment", SITUATIONS_PATH)
    return examples


def _training_fingerprint(examples: Sequence[LabelledText]) -> str:
    digest = hashlib.sha256()
    for example in examples:
        digest.update(f"{example.label}\x1f{example.text}\x1e".encode())
    return digest.hexdigest()[:8]


class EmbeddingSentimentClassifier:
    """Logistic regression on embeddings; ``model_id`` changes when the data or model does.

    Stored sentiment rows carry ``model_id``, so retraining on new data re-scores
    texts instead of mixing two classifiers' scores in one trend.
    """

    def __init__(self, embedder: Embedder, *, regularisation: float = 4.0) -> None:
        self.embedder = embedder
        self.regularisation = regularisation
        self._model: Any = None
        self._model_id: str | None = None

    @property
    def model_id(self) -> str:
        if self._model_id is None:
            raise RuntimeError("the sentiment classifier is not trained yet (call fit)")
        return self._model_id

    def fit(self, examples: Sequence[LabelledText]) -> EmbeddingSentimentClassifier:
        from sklearn.linear_model import LogisticRegression

        labels = {example.label for example in examples}
        if labels != set(SENTIMENT_LABELS):
            raise ValueError(
                f"training data needs every label {SENTIMENT_LABELS}, got {sorted(labels)}"
            )
        vectors = self.embedder.embed([example.text for example in examples])
        model = LogisticRegression(C=self.regularisation, max_iter=2000, class_weight="balanced")
        model.fit(vectors, [example.label for example in examples])
        self._model = model
        self._model_id = f"logreg-{self.embedder.model_id}-{_training_fingerprint(examples)}"[:64]
        return self

    def predict_vectors(self, vectors: np.ndarray) -> list[SentimentResult]:
        if self._model is None:
            raise RuntimeError("the sentiment classifier is not trained yet (call fit)")
        if len(vectors) == 0:
            return []
        probabilities = self._model.predict_proba(vectors)
        classes = list(self._model.classes_)
        negative = probabilities[:, classes.index("negative")]
        positive = probabilities[:, classes.index("positive")]
        best = probabilities.argmax(axis=1)
        return [
            SentimentResult(score=float(np.clip(pos - neg, -1.0, 1.0)), label=classes[index])
            for pos, neg, index in zip(positive, negative, best, strict=True)
        ]

    def score_texts(self, texts: Sequence[str]) -> list[SentimentResult]:
        return self.predict_vectors(self.embedder.embed(list(texts)))


class VaderSentimentScorer:
    """The lexicon baseline: VADER's compound score with its usual ±0.05 thresholds."""

    model_id = VADER_MODEL_ID

    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._analyzer = SentimentIntensityAnalyzer()

    def score_texts(self, texts: Sequence[str]) -> list[SentimentResult]:
        results = []
        for text in texts:
            compound = float(self._analyzer.polarity_scores(text)["compound"])
            label: SentimentLabel = (
                "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"
            )
            results.append(SentimentResult(score=compound, label=label))
        return results
