"""Benchmark: quality of the knowledge layer on data nobody on the project tuned on.

Prints:
- ticket themes on BANKING77 (3,080 real utterances, 77 intents): NMI and purity of
  the clusters against the intents, with k = 77 given and with k chosen by silhouette;
- retrieval on Bitext customer support: one answer per intent indexed, the other
  utterances as queries, top-1 / top-3 accuracy of the intent;
- playbook retrieval on knowledge/eval/situations.jsonl, train half (used for tuning)
  and test half (never used for tuning): top-1 / top-3;
- sentiment accuracy and macro-F1, embedding classifier vs VADER, on the situations'
  test half and on knowledge/eval/nps_comments.jsonl.

Embeddings are cached in bench/out/embeddings.sqlite3 so a rerun is quick.

    .venv/bin/python bench/bench_knowledge_eval.py [--datasets ../shared/datasets]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
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
    banking77(embedder, args.datasets)
    bitext(embedder, args.datasets)
    situations(embedder)
    sentiment(embedder)
    print(
        f"\n(total {time.perf_counter() - started:.0f}s; {embedder.stats.encoded} texts encoded, "
        f"{embedder.stats.cache_hits} from the cache)"
    )


if __name__ == "__main__":
    main()
