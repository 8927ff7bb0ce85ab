"""Benchmark: quality of the knowledge layer on data nobody on the project tuned on.

Prints:
- ticket themes on BANKING77 (3,080 real utterances, 77 intents): NMI and purity of
  the clusters against the intents, with k = 77 given and with k chosen by silhouette;
- retrieval on Bitext customer support: one answer per intent indexed, the other
  utterances as queries, top-1 / top-3 accuracy of the intent;
- playbook retrieval on knowledge/eval/situations.jsonl, train half (used for tuning)
  and test half (never used for tuning): top-1 / top-3;
- sentiment accuracy and macro-F1, embedding classifier vs VADER, on the situations'
  test half and on knowledge/eval/nps_comments.jsonl;
- ticket signals on held-out data no rule or classifier was tuned on: churn intent
  (precision, recall, accuracy, macro-F1) and sentiment (accuracy, macro-F1, recall per
  class) on the held-out half of Bitext and on knowledge/eval/churn_intent_heldout.jsonl,
  csbot's detector beside VADER and the sentiment classifier alone.

Embeddings are cached in bench/out/embeddings.sqlite3 so a rerun is quick.

    .venv/bin/python bench/bench_knowledge_eval.py [--datasets ../shared/datasets] [--only signals]
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATASETS = ROOT.parent / "shared" / "datasets"


def purity(truth: np.ndarray, clusters: np.ndarray) -> float:
    total = 0
    for cluster in np.unique(clusters):
        total += Counter(truth[clusters == cluster]).most_common(1)[0][1]
    return total / len(truth)


def banking77(embedder, datasets: Path) -> None:
    from sklearn.metrics import normalized_mutual_info_score

    from knowledge.themes import choose_theme_count, cluster_embeddings, ctfidf_terms

    frame = pd.read_csv(datasets / "banking77" / "test.csv")
    vectors = embedder.embed(frame["text"].tolist())
    truth = frame["category"].to_numpy()
    print(f"\n== BANKING77 themes ({len(frame)} utterances, {frame['category'].nunique()} intents)")
    for label, k in (("k=77 (given)", 77), ("k by silhouette (2..100)", None)):
        started = time.perf_counter()
        chosen = k or choose_theme_count(vectors, max_themes=100)
        clusters = cluster_embeddings(vectors, k=chosen)
        seconds = time.perf_counter() - started
        nmi = normalized_mutual_info_score(truth, clusters)
        print(
            f"{label:<26} clusters {chosen:>3}  NMI {nmi:.3f}  purity {purity(truth, clusters):.3f}"
            f"  ({seconds:.1f}s)"
        )
        if k:
            texts = frame["text"].tolist()
            groups = [[texts[i] for i in np.flatnonzero(clusters == c)] for c in range(chosen)]
            labels = ctfidf_terms(groups, top_n=3)
            for c in range(3):
                majority = Counter(truth[clusters == c]).most_common(1)[0][0]
                print(f"   theme label {' · '.join(labels[c])!r:<45} majority intent {majority}")


def bitext(embedder, datasets: Path) -> None:
    frame = pd.read_csv(
        datasets / "bitext-customer-support" / "Bitext_Sample_Customer_Support_Training_Dataset.csv"
    )
    indexed = frame.groupby("intent", sort=True).head(1)
    queries = frame.drop(indexed.index)
    answers = [re.sub(r"\{\{[^}]*\}\}", "", text) for text in indexed["response"]]
    answer_vectors = embedder.embed(answers)
    query_vectors = embedder.embed(queries["instruction"].tolist())
    intents = indexed["intent"].to_numpy()
    ranked = np.argsort(-(query_vectors @ answer_vectors.T), axis=1)[:, :3]
    truth = queries["intent"].to_numpy()
    top1 = float(np.mean(intents[ranked[:, 0]] == truth))
    top3 = float(np.mean([t in intents[row] for t, row in zip(truth, ranked, strict=True)]))
    print(
        f"\n== Bitext retrieval: {len(indexed)} intents (one answer each), "
        f"{len(queries)} held-out utterances"
    )
    print(f"top-1 {top1:.3f}  top-3 {top3:.3f}")


def situations(embedder) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from knowledge.playbooks import load_playbooks
    from knowledge.retrieval import PlaybookRetriever
    from knowledge.sentiment import SITUATIONS_PATH, read_jsonl
    from knowledge.vector_store import ChromaVectorStore

    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    retriever = PlaybookRetriever(load_playbooks(), embedder, ChromaVectorStore(client))
    rows = read_jsonl(SITUATIONS_PATH)
    print(f"\n== Playbook retrieval on {len(rows)} written B2B SaaS situations")
    for split in ("train", "test"):
        part = [row for row in rows if row["split"] == split]
        ranked = retriever.suggest_many([row["text"] for row in part], k=3)
        top1 = np.mean(
            [r[0].playbook.id == row["playbook"] for r, row in zip(ranked, part, strict=True)]
        )
        top3 = np.mean(
            [
                row["playbook"] in [m.playbook.id for m in r]
                for r, row in zip(ranked, part, strict=True)
            ]
        )
        note = "(weights tuned here)" if split == "train" else "(never used for tuning)"
        print(f"{split:<5} n={len(part):<3} top-1 {top1:.3f}  top-3 {top3:.3f}  {note}")


def sentiment(embedder) -> None:
    from sklearn.metrics import f1_score

    from knowledge.sentiment import (
        SITUATIONS_PATH,
        EmbeddingSentimentClassifier,
        VaderSentimentScorer,
        default_training_examples,
        read_jsonl,
    )

    classifier = EmbeddingSentimentClassifier(embedder).fit(default_training_examples())
    vader = VaderSentimentScorer()
    situations_test = [row for row in read_jsonl(SITUATIONS_PATH) if row["split"] == "test"]
    nps = read_jsonl(ROOT / "knowledge" / "eval" / "nps_comments.jsonl")
    sets = {
        "situations test half": (
            [r["text"] for r in situations_test],
            [r["sentiment"] for r in situations_test],
        ),
        "NPS comments": ([r["comment"] for r in nps], [r["sentiment"] for r in nps]),
    }
    print(f"\n== Sentiment (classifier {classifier.model_id})")
    for name, (texts, truth) in sets.items():
        for model_name, scorer in (("embedding logreg", classifier), ("VADER", vader)):
            labels = [result.label for result in scorer.score_texts(texts)]
            accuracy = np.mean([a == b for a, b in zip(labels, truth, strict=True)])
            macro = f1_score(truth, labels, average="macro")
            print(
                f"{name:<22} n={len(texts):<3} {model_name:<17} accuracy {accuracy:.3f}  macro-F1 {macro:.3f}"
            )


# Bitext intents that are churn intent for a subscription business: closing the account,
# cancelling, asking about the termination fee. switch_account ("switch to the Gold
# account") is a plan change, not churn, and stays a hard negative; complaint is negative
# sentiment without churn intent. Every other intent is a neutral request.
BITEXT_CHURN_INTENTS = frozenset({"delete_account", "cancel_order", "check_cancellation_fee"})


def bitext_halves(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(tuning half, held-out half), split by a hash of the utterance (stable across runs).

    The explicit churn phrases were checked against the tuning half only; the held-out
    half is scored here and nowhere else.
    """
    import hashlib

    half = frame["instruction"].map(
        lambda text: int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % 2
    )
    return frame[half == 0], frame[half == 1]


def _recalls(truth: list, predicted: list) -> str:
    labels = sorted(set(truth))
    parts = []
    for label in labels:
        total = sum(1 for t in truth if t == label)
        hit = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label and p == label)
        parts.append(f"{str(label)[:3]} {hit / total:.2f}")
    return "recall " + " ".join(parts)


def _classification_line(name: str, truth: list, predicted: list) -> str:
    from sklearn.metrics import f1_score

    accuracy = np.mean([a == b for a, b in zip(truth, predicted, strict=True)])
    macro = f1_score(truth, predicted, average="macro", labels=sorted(set(truth)))
    return (
        f"  {name:<30} accuracy {accuracy:.3f}  macro-F1 {macro:.3f}  {_recalls(truth, predicted)}"
    )


def _churn_line(name: str, truth: list[bool], predicted: list[bool]) -> str:
    tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t and p)
    fp = sum(1 for t, p in zip(truth, predicted, strict=True) if p and not t)
    fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t and not p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return (
        f"{_classification_line(name, truth, predicted)}  "
        f"precision {precision:.3f}  recall {recall:.3f}"
    )


def ticket_signals(embedder, datasets: Path) -> None:
    from knowledge.churn_intent import (
        CHURN_HELDOUT_PATH,
        ChurnIntentDetector,
        default_churn_examples,
        match_churn_phrase,
        with_churn_intent,
    )
    from knowledge.sentiment import (
        EmbeddingSentimentClassifier,
        VaderSentimentScorer,
        default_training_examples,
        read_jsonl,
    )

    frame = pd.read_csv(
        datasets / "bitext-customer-support" / "Bitext_Sample_Customer_Support_Training_Dataset.csv"
    )
    _, held_out = bitext_halves(frame)
    written = read_jsonl(CHURN_HELDOUT_PATH)
    sets = {
        f"Bitext held-out half (n={len(held_out)})": (
            held_out["instruction"].tolist(),
            held_out["intent"].isin(BITEXT_CHURN_INTENTS).tolist(),
            ["negative" if i == "complaint" else "neutral" for i in held_out["intent"]],
        ),
        f"written held-out set (n={len(written)})": (
            [row["text"] for row in written],
            [bool(row["churn_intent"]) for row in written],
            [row["sentiment"] for row in written],
        ),
    }
    sentiment = EmbeddingSentimentClassifier(embedder).fit(default_training_examples())
    detector = ChurnIntentDetector(embedder).fit(default_churn_examples())
    vader = VaderSentimentScorer()
    print(f"\n== Ticket signals on held-out data ({detector.model_id})")
    for name, (texts, churn_truth, sentiment_truth) in sets.items():
        current = sentiment.score_texts(texts)
        lexicon = vader.score_texts(texts)
        churn = detector.detect(texts)
        probabilities = detector.probabilities(texts)
        phrases = [match_churn_phrase(text) is not None for text in texts]
        print(f"{name}: churn intent ({sum(churn_truth)} positive)")
        print(_churn_line("csbot phrases + classifier", churn_truth, [c.detected for c in churn]))
        print(_churn_line("  phrases only", churn_truth, phrases))
        print(
            _churn_line(
                "  classifier only",
                churn_truth,
                [bool(p >= detector.threshold) for p in probabilities],
            )
        )
        print(
            _churn_line(
                "current classifier: negative",
                churn_truth,
                [r.label == "negative" for r in current],
            )
        )
        print(_churn_line("VADER: negative", churn_truth, [r.label == "negative" for r in lexicon]))
        print(f"{name}: sentiment")
        combined = [with_churn_intent(r, c).label for r, c in zip(current, churn, strict=True)]
        print(_classification_line("csbot (classifier + churn)", sentiment_truth, combined))
        print(
            _classification_line("current classifier", sentiment_truth, [r.label for r in current])
        )
        print(_classification_line("VADER", sentiment_truth, [r.label for r in lexicon]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--only", choices=["signals"], help="run one section only")
    args = parser.parse_args()

    from bot.db.embedding_cache import SqliteEmbeddingCache
    from knowledge.embedding_cache import CachedEmbedder
    from knowledge.embeddings import SentenceTransformerEmbedder

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    embedder = CachedEmbedder(
        SentenceTransformerEmbedder(), SqliteEmbeddingCache(out / "embeddings.sqlite3")
    )
    started = time.perf_counter()
    if args.only != "signals":
        banking77(embedder, args.datasets)
        bitext(embedder, args.datasets)
        situations(embedder)
        sentiment(embedder)
    ticket_signals(embedder, args.datasets)
    print(
        f"\n(total {time.perf_counter() - started:.0f}s; {embedder.stats.encoded} texts encoded, "
        f"{embedder.stats.cache_hits} from the cache)"
    )


if __name__ == "__main__":
    main()
