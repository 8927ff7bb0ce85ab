"""Sentiment classifier mechanics (hashing embedder) and the VADER baseline."""

from __future__ import annotations

import pytest

from knowledge.sentiment import (
    EmbeddingSentimentClassifier,
    LabelledText,
    VaderSentimentScorer,
    default_training_examples,
)

EXAMPLES = [
    LabelledText("terrible broken outage angry", "negative"),
    LabelledText("awful bug broken again", "negative"),
    LabelledText("how do I export a report", "neutral"),
    LabelledText("where is the invoice setting", "neutral"),
    LabelledText("great product love it thanks", "positive"),
    LabelledText("fantastic support love the team", "positive"),
]


def test_scores_are_in_range_and_labels_follow_training(hashing_embedder):
    classifier = EmbeddingSentimentClassifier(hashing_embedder).fit(EXAMPLES)
    results = classifier.score_texts(["broken outage again", "love it, great product"])
    assert results[0].label == "negative" and results[0].score < 0
    assert results[1].label == "positive" and results[1].score > 0
    assert all(-1 <= result.score <= 1 for result in results)
    assert classifier.model_id.startswith("logreg-hashing-256-")


def test_model_id_changes_with_the_training_data(hashing_embedder):
    first = EmbeddingSentimentClassifier(hashing_embedder).fit(EXAMPLES).model_id
    second = (
        EmbeddingSentimentClassifier(hashing_embedder)
        .fit(EXAMPLES[:-1] + EXAMPLES[:1] + EXAMPLES[-1:])
        .model_id
    )
    assert first != second


def test_training_needs_every_label(hashing_embedder):
    with pytest.raises(ValueError, match="needs every label"):
        EmbeddingSentimentClassifier(hashing_embedder).fit(EXAMPLES[:4])


def test_shipped_training_set_is_balanced_and_excludes_the_test_half():
    examples = default_training_examples()
    labels = [example.label for example in examples]
    assert len(examples) >= 250 and min(labels.count(label) for label in set(labels)) >= 70
    from knowledge.sentiment import SITUATIONS_PATH, read_jsonl

    test_texts = {row["text"] for row in read_jsonl(SITUATIONS_PATH) if row["split"] == "test"}
    assert not test_texts & {example.text for example in examples}


def test_vader_baseline():
    vader = VaderSentimentScorer()
    good, bad = vader.score_texts(["I love this great product", "This is terrible and awful"])
    assert good.label == "positive" and bad.label == "negative" and vader.model_id == "vader-3.3"
