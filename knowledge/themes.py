"""Ticket themes: cluster ticket embeddings, label each cluster with its distinctive terms.

- Clustering is k-means on the normalised embeddings (cosine geometry). The number
  of themes is chosen by silhouette score within ``[2, max_themes]``: CSMs read a
  handful of themes per account, not 77 micro-intents, so the cap matters more
  than squeezing out NMI (``bench/knowledge_eval.py`` reports both settings).
- Labels are how a CSM would name the theme: the cluster's most common ticket subject
  (tone prefixes such as "URGENT:" removed), the customers' own noun phrase. Texts
  without a subject line fall back to class-based TF-IDF (c-TF-IDF, as in BERTopic)
  terms, which are also kept as the theme's ``terms``. Examples never repeat.
- New tickets join the theme with the nearest centroid (``nearest_themes``) without
  re-clustering; a ticket too far from every centroid stays unassigned until the
  next rebuild.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import numpy as np

from knowledge.models import Theme, TicketDocument
from knowledge.text import LABEL_NOISE, STOP_WORDS, words

DEFAULT_MAX_THEMES = 8
SILHOUETTE_SAMPLE = 1500
TREND_WINDOW = timedelta(days=30)
MIN_ASSIGN_SIMILARITY = 0.3


def cluster_embeddings(
    vectors: np.ndarray,
    *,
    k: int | None = None,
    max_themes: int = DEFAULT_MAX_THEMES,
    random_state: int = 0,
) -> np.ndarray:
    """Cluster labels (0..k-1) for each row; ``k`` chosen by silhouette when not given."""
    count = len(vectors)
    if count == 0:
        return np.zeros(0, dtype=int)
    if k is None:
        k = choose_theme_count(vectors, max_themes=max_themes, random_state=random_state)
    k = max(1, min(k, count))
    if k == 1:
        return np.zeros(count, dtype=int)
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=4, random_state=random_state).fit_predict(vectors)


def choose_theme_count(
    vectors: np.ndarray, *, max_themes: int = DEFAULT_MAX_THEMES, random_state: int = 0
) -> int:
    """The k in ``[2, max_themes]`` with the best silhouette (1 for tiny or uniform sets)."""
    count = len(vectors)
    if count < 4:
        return 1 if count < 3 else 2 if _spread(vectors) > 0.2 else 1
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(random_state)
    sample = vectors
    if count > SILHOUETTE_SAMPLE:
        sample = vectors[rng.choice(count, SILHOUETTE_SAMPLE, replace=False)]
    best_k, best_score = 1, -1.0
    upper = min(max_themes, len(sample) - 1)
    candidates = list(range(2, upper + 1))
    if upper > 24:  # a coarser grid past a dozen themes keeps large ranges affordable
        candidates = list(range(2, 13)) + list(range(15, upper + 1, 5))
    for candidate in candidates:
        labels = KMeans(n_clusters=candidate, n_init=2, random_state=random_state).fit_predict(
            sample
        )
        if len(set(labels)) < 2:
            continue
        score = float(silhouette_score(sample, labels, metric="cosine"))
        if score > best_score:
            best_k, best_score = candidate, score
    # Near-identical tickets give a meaningless silhouette; keep them as one theme.
    return best_k if best_score > 0.02 else 1


def _spread(vectors: np.ndarray) -> float:
    similarities = vectors @ vectors.T
    return float(1.0 - similarities.min())


def _terms(text: str) -> list[str]:
    tokens = [
        t
        for t in words(text)
        if t not in STOP_WORDS and t not in LABEL_NOISE and not t.isdigit() and len(t) > 2
    ]
    pairs = [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
    return tokens + pairs


def ctfidf_terms(texts_by_cluster: Sequence[Sequence[str]], *, top_n: int = 5) -> list[list[str]]:
    """The ``top_n`` most distinctive terms of each cluster (c-TF-IDF).

    Weight of term t in cluster c = tf(t, c) / |c| * log(1 + A / f(t)), where A is
    the average number of terms per cluster and f(t) the frequency of t overall.
    A word already covered by a chosen word pair is skipped so labels stay varied.
    """
    counts = [
        Counter(term for text in texts for term in _terms(text)) for texts in texts_by_cluster
    ]
    overall: Counter[str] = Counter()
    for counter in counts:
        overall.update(counter)
    totals = [sum(counter.values()) for counter in counts]
    average = (sum(totals) / len(totals)) if totals else 0.0
    labels: list[list[str]] = []
    for counter, total in zip(counts, totals, strict=True):
        if not total:
            labels.append([])
            continue
        weights = {
            term: (count / total)
            * math.log(1 + average / overall[term])
            * (1.25 if " " in term else 1.0)
            for term, count in counter.items()
            if count >= 2 or len(counter) < 20
        }
        chosen: list[str] = []
        for term, _ in sorted(weights.items(), key=lambda item: (-item[1], item[0])):
            if any(term in other.split() or other in term for other in chosen):
                continue
            chosen.append(term)
            if len(chosen) == top_n:
                break
        labels.append(chosen)
    return labels


_SUBJECT_PREFIX = re.compile(
    r"^(?:(?:re|fwd?|fw|urgent|escalation|follow-up|unacceptable|still not fixed|question)"
    r"\s*:\s*)+",
    re.IGNORECASE,
)


def ticket_subject(text: str) -> str | None:
    """The subject line of a ticket text ("subject\\ndescription"), tone prefixes removed."""
    first, newline, _ = text.partition("\n")
    if not newline:
        return None
    subject = _SUBJECT_PREFIX.sub("", first.strip()).strip(" -:")
    return subject or None


def subject_label(subjects: Sequence[str | None]) -> str | None:
    """How a CSM would name the theme: its most common subject (given best first).

    Subjects are the customers' own short noun phrases ("Custom fields missing from
    export"); the most frequent one wins, ties going to the ticket nearest the centroid.
    """
    named = [s for s in subjects if s]
    if not named:
        return None
    counts = Counter(s.lower() for s in named)
    best = max(counts.values())
    return next(s for s in named if counts[s.lower()] == best)


def _distinct_examples(texts: Sequence[str], limit: int) -> tuple[str, ...]:
    """Up to ``limit`` excerpts, best first, none repeating another's subject or words."""
    chosen: list[str] = []
    seen: set[str] = set()
    for text in texts:
        subject = (ticket_subject(text) or "").lower()
        body = re.sub(r"[^a-z ]+", "", " ".join(text.lower().split()))
        keys = {body} | ({subject} if subject else set())
        if keys & seen:
            continue
        seen |= keys
        chosen.append(_excerpt(text))
        if len(chosen) == limit:
            break
    return tuple(chosen)


def _theme(
    documents: Sequence[TicketDocument],
    vectors: np.ndarray,
    indices: np.ndarray,
    *,
    label: str | None,
    terms: Sequence[str],
    negative_ids: frozenset[str] | set[str],
    now: datetime,
    examples: int,
) -> Theme:
    centroid = vectors[indices].mean(axis=0)
    norm = float(np.linalg.norm(centroid))
    centroid = centroid / norm if norm > 0 else centroid
    similarities = vectors[indices] @ centroid
    order = np.argsort(-similarities)
    recent = sum(1 for i in indices if documents[i].created_at >= now - TREND_WINDOW)
    prior = sum(
        1 for i in indices if now - 2 * TREND_WINDOW <= documents[i].created_at < now - TREND_WINDOW
    )
    negative = sum(1 for i in indices if documents[i].ticket_id in negative_ids)
    ranked = [documents[indices[i]].text for i in order]
    name = label or subject_label([ticket_subject(text) for text in ranked])
    return Theme(
        label=name or " · ".join(terms[:3]) or "miscellaneous",
        terms=tuple(terms),
        size=len(indices),
        negative_share=negative / len(indices),
        trend=(recent - prior) / max(prior, 1) if (recent or prior) else None,
        examples=_distinct_examples(ranked, examples),
        centroid=tuple(float(x) for x in centroid),
        member_ids=tuple(documents[indices[i]].ticket_id for i in order),
        member_similarities=tuple(float(similarities[i]) for i in order),
        recent_count=recent,
        prior_count=prior,
    )


def build_themes(
    documents: Sequence[TicketDocument],
    vectors: np.ndarray,
    *,
    negative_ids: frozenset[str] | set[str] = frozenset(),
    now: datetime,
    k: int | None = None,
    max_themes: int = DEFAULT_MAX_THEMES,
    examples: int = 3,
    pinned: Mapping[str, Sequence[str]] | None = None,
) -> list[Theme]:
    """Cluster the tickets of one scope into labelled themes, largest first.

    ``pinned`` maps a label to ticket ids kept out of the clustering and shown as a
    theme of their own, first (churn-intent tickets must not hide in an export theme).
    """
    if len(documents) != len(vectors):
        raise ValueError(f"{len(documents)} tickets but {len(vectors)} vectors")
    if not documents:
        return []
    pinned_ids = {ticket_id for ids in (pinned or {}).values() for ticket_id in ids}
    position = {document.ticket_id: i for i, document in enumerate(documents)}
    pinned_themes = [
        _theme(
            documents,
            vectors,
            np.asarray([position[t] for t in ids if t in position]),
            label=label,
            terms=(),
            negative_ids=negative_ids,
            now=now,
            examples=examples,
        )
        for label, ids in (pinned or {}).items()
        if any(t in position for t in ids)
    ]
    rest = np.asarray([i for i, d in enumerate(documents) if d.ticket_id not in pinned_ids])
    if len(rest) == 0:
        return pinned_themes
    labels = cluster_embeddings(vectors[rest], k=k, max_themes=max_themes)
    clusters = sorted(set(labels.tolist()))
    members = {c: rest[np.flatnonzero(labels == c)] for c in clusters}
    terms = ctfidf_terms([[documents[i].text for i in members[c]] for c in clusters])
    themes = [
        _theme(
            documents,
            vectors,
            members[cluster],
            label=None,
            terms=cluster_terms,
            negative_ids=negative_ids,
            now=now,
            examples=examples,
        )
        for cluster, cluster_terms in zip(clusters, terms, strict=True)
    ]
    themes.sort(key=lambda theme: (-theme.size, theme.label))
    return pinned_themes + themes


def nearest_themes(
    vectors: np.ndarray,
    centroids: Mapping[int, Sequence[float]],
    *,
    min_similarity: float = MIN_ASSIGN_SIMILARITY,
) -> list[tuple[int | None, float]]:
    """For each vector, the id of the closest centroid and the similarity.

    The id is None when no centroid is at least ``min_similarity`` close (a new kind
    of ticket that the next full rebuild should turn into its own theme).
    """
    if not centroids or len(vectors) == 0:
        return [(None, 0.0) for _ in range(len(vectors))]
    ids = list(centroids)
    matrix = np.asarray([centroids[i] for i in ids], dtype=np.float32)
    similarities = vectors @ matrix.T
    best = similarities.argmax(axis=1)
    results: list[tuple[int | None, float]] = []
    for row, column in enumerate(best):
        value = float(similarities[row, column])
        results.append((ids[column] if value >= min_similarity else None, value))
    return results


def _excerpt(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
