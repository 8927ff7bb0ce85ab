"""Theme clustering, c-TF-IDF labels and nearest-centroid assignment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from knowledge.models import TicketDocument
from knowledge.themes import build_themes, ctfidf_terms, nearest_themes

NOW = datetime(2026, 6, 1, tzinfo=UTC)

BILLING = [
    "invoice charged twice refund please",
    "the invoice charged twice refund please",
    "invoice charged twice refund please now",
    "our invoice charged twice refund please",
]
LOGIN = [
    "sso login broken users locked out",
    "users locked out sso login error",
    "sso login error locked out again",
]


def documents() -> list[TicketDocument]:
    texts = BILLING + LOGIN
    return [
        TicketDocument(
            ticket_id=f"T{i}",
            account_id="A1",
            created_at=NOW - timedelta(days=5 if i < 3 else 40),
            text=text,
        )
        for i, text in enumerate(texts)
    ]


def test_two_clear_groups_become_two_labelled_themes(hashing_embedder):
    docs = documents()
    vectors = hashing_embedder.embed([d.text for d in docs])
    themes = build_themes(docs, vectors, negative_ids={"T4", "T5"}, now=NOW, max_themes=4)
    assert len(themes) == 2
    billing, login = themes  # largest first
    assert set(billing.member_ids) == {"T0", "T1", "T2", "T3"}
    assert "invoice" in billing.label or "refund" in billing.label
    assert "sso" in login.label or "locked" in login.label
    assert login.negative_share == 2 / 3 and billing.negative_share == 0
    # T0-T2 are recent, T3 is older: 3 recent vs 1 prior
    assert billing.recent_count == 3 and billing.prior_count == 1 and billing.trend == 2.0
    assert len(billing.examples) == 3 and np.isclose(np.linalg.norm(billing.centroid), 1.0)


def test_new_tickets_join_the_nearest_theme_or_none(hashing_embedder):
    docs = documents()
    vectors = hashing_embedder.embed([d.text for d in docs])
    themes = build_themes(docs, vectors, now=NOW, k=2)
    centroids = {index: theme.centroid for index, theme in enumerate(themes)}
    new = hashing_embedder.embed(["refund the invoice charged twice", "zebra giraffe"])
    (first, similarity), (second, _) = nearest_themes(new, centroids)
    assert themes[first].member_ids[0] in {"T0", "T1", "T2", "T3"} and similarity > 0.3
    assert second is None


def test_ctfidf_prefers_terms_distinctive_to_a_cluster():
    terms = ctfidf_terms([BILLING, LOGIN], top_n=3)
    assert not set(terms[0]) & set(terms[1])
    assert any("invoice" in term for term in terms[0])


def test_tiny_scopes_give_one_theme(hashing_embedder):
    docs = documents()[:1]
    themes = build_themes(docs, hashing_embedder.embed([docs[0].text]), now=NOW)
    assert len(themes) == 1 and themes[0].size == 1
    assert build_themes([], np.zeros((0, 256)), now=NOW) == []
