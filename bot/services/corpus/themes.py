"""Use case: what are an account's (a CSM's book's, the portfolio's) tickets about?

Themes are computed per scope: ``portfolio``, ``account:<id>`` and ``csm:<id>``.
A rebuild clusters the scope's ticket embeddings (from the embedding cache, so
only never-seen texts hit the model) and replaces the stored themes in one
transaction; between rebuilds new tickets join the nearest existing theme.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.db.knowledge_repo import (
    ThemeRecord,
    TicketTextRow,
    add_theme_assignments,
    assigned_ticket_ids,
    churn_intent_ticket_ids,
    replace_scope_themes,
    scope_themes,
    theme_scopes,
    ticket_sentiments,
    ticket_text_rows,
)
from bot.db.session import unit_of_work

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger(__name__)

PORTFOLIO = "portfolio"
CHURN_THEME = "Churn intent: cancelling, not renewing, switching"


def account_scope(account_id: str) -> str:
    return f"account:{account_id}"


def csm_scope(csm_id: str) -> str:
    return f"csm:{csm_id}"


@dataclass(frozen=True, slots=True)
class ThemeView:
    """A stored theme as the CLI and the assistant show it."""

    id: int
    scope: str
    label: str
    terms: list[str]
    size: int
    negative_share: float
    trend: float | None
    examples: list[str]
    computed_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "scope": self.scope,
            "label": self.label,
            "terms": self.terms,
            "size": self.size,
            "negative_share": round(self.negative_share, 3),
            "trend": None if self.trend is None else round(self.trend, 3),
            "examples": self.examples,
            "computed_at": self.computed_at.isoformat(),
        }


def _scope_rows(services: Services, scope: str) -> list[Any]:
    kind, _, key = scope.partition(":")
    with unit_of_work(services.session_factory) as session:
        if kind == "account":
            return ticket_text_rows(session=session, account_id=key)
        if kind == "csm":
            return ticket_text_rows(session=session, csm_id=key)
        return ticket_text_rows(session=session)


def rebuild_themes(
    services: Services,
    scope: str = PORTFOLIO,
    *,
    now: datetime | None = None,
    max_themes: int | None = None,
) -> list[ThemeView]:
    """Re-cluster one scope's tickets and store the themes (replacing the old ones)."""
    from bot.services.corpus.sentiment import score_text_sentiment

    score_text_sentiment(services)
    _store_scope_themes(
        services, scope, _scope_rows(services, scope), now=now, max_themes=max_themes
    )
    return list_themes(services, scope)


def _store_scope_themes(
    services: Services,
    scope: str,
    rows: Sequence[TicketTextRow],
    *,
    now: datetime | None = None,
    max_themes: int | None = None,
) -> int:
    """Cluster ``rows`` (sentiment already scored) and replace ``scope``'s stored themes."""
    from threadpoolctl import threadpool_limits

    from bot.services.corpus.sentiment import to_ticket_document
    from knowledge.themes import DEFAULT_MAX_THEMES, build_themes

    moment = now or datetime.now(UTC)
    documents = [to_ticket_document(row) for row in rows]
    documents = [document for document in documents if document.text]
    with unit_of_work(services.session_factory) as session:
        sentiments = ticket_sentiments(session=session, ticket_ids=[d.ticket_id for d in documents])
        churn = churn_intent_ticket_ids(
            session=session, ticket_ids=[d.ticket_id for d in documents]
        )
    negative = {ticket_id for ticket_id, (_, label) in sentiments.items() if label == "negative"}
    vectors = services.knowledge.embedder.embed([d.text for d in documents])
    limit = max_themes or (12 if scope == PORTFOLIO else DEFAULT_MAX_THEMES)
    # One BLAS/OpenMP thread: k-means over a scope's few hundred tickets gains nothing from
    # threads, and on a shared 2-core host they spun 4-5x slower (40 demo accounts: 8.6 s
    # with the default pool, 1.8 s with one thread).
    with threadpool_limits(limits=1):
        themes = build_themes(
            documents,
            vectors,
            negative_ids=negative,
            now=moment,
            max_themes=limit,
            pinned={CHURN_THEME: sorted(churn)} if churn else None,
        )
    records = [
        ThemeRecord(
            label=theme.label,
            terms=list(theme.terms),
            size=theme.size,
            negative_share=theme.negative_share,
            trend=theme.trend,
            examples=list(theme.examples),
            centroid=list(theme.centroid),
            members=list(zip(theme.member_ids, theme.member_similarities, strict=True)),
        )
        for theme in themes
    ]
    with unit_of_work(services.session_factory) as session:
        replace_scope_themes(session=session, scope=scope, themes=records, computed_at=moment)
    logger.info(
        "themes rebuilt", extra={"scope": scope, "themes": len(records), "tickets": len(documents)}
    )
    return len(records)


def list_themes(services: Services, scope: str = PORTFOLIO) -> list[ThemeView]:
    """The stored themes of a scope, largest first (empty when never built)."""
    with unit_of_work(services.session_factory) as session:
        return [
            ThemeView(
                id=row.id,
                scope=row.scope,
                label=row.label,
                terms=list(row.terms),
                size=row.size,
                negative_share=row.negative_share,
                trend=row.trend,
                examples=list(row.examples),
                computed_at=row.computed_at,
            )
            for row in scope_themes(session=session, scope=scope)
        ]


def themes_for(
    services: Services, scope: str = PORTFOLIO, *, rebuild: bool = False
) -> list[ThemeView]:
    """Stored themes, built first when the scope has none yet (or when asked to)."""
    themes = [] if rebuild else list_themes(services, scope)
    if not themes:
        themes = rebuild_themes(services, scope)
    return themes


def rebuild_all_themes(services: Services, *, now: datetime | None = None) -> dict[str, int]:
    """Portfolio, every CSM book and every account with ticket text: scope → theme count.

    Sentiment is scored and the tickets read once for all scopes (per scope it was
    most of a first start's minute on the demo's 300 accounts).
    """
    from bot.services.corpus.sentiment import score_text_sentiment

    score_text_sentiment(services)
    with unit_of_work(services.session_factory) as session:
        rows = ticket_text_rows(session=session)
    by_scope: dict[str, list[TicketTextRow]] = {PORTFOLIO: list(rows)}
    for row in rows:
        if row.csm_id:
            by_scope.setdefault(csm_scope(row.csm_id), []).append(row)
        by_scope.setdefault(account_scope(row.account_id), []).append(row)
    scopes = [PORTFOLIO]
    scopes += sorted(scope for scope in by_scope if scope.startswith("csm:"))
    scopes += sorted(scope for scope in by_scope if scope.startswith("account:"))
    return {
        scope: _store_scope_themes(services, scope, by_scope[scope], now=now) for scope in scopes
    }


def assign_new_tickets(services: Services, *, scopes: Sequence[str] | None = None) -> int:
    """Attach tickets that arrived since the last rebuild to their nearest theme.

    Returns:
        How many ticket-to-theme assignments were added across the scopes.
    """
    from bot.services.corpus.sentiment import to_ticket_document
    from knowledge.themes import nearest_themes

    with unit_of_work(services.session_factory) as session:
        known_scopes = list(scopes) if scopes is not None else theme_scopes(session=session)
    added = 0
    for scope in known_scopes:
        with unit_of_work(services.session_factory) as session:
            themes = scope_themes(session=session, scope=scope)
            assigned = assigned_ticket_ids(session=session, scope=scope)
        centroids = {theme.id: theme.centroid for theme in themes if theme.centroid}
        if not centroids:
            continue
        documents = [
            d
            for d in (to_ticket_document(row) for row in _scope_rows(services, scope))
            if d.text and d.ticket_id not in assigned
        ]
        if not documents:
            continue
        vectors = services.knowledge.embedder.embed([d.text for d in documents])
        nearest = nearest_themes(vectors, centroids)
        assignments = [
            (document.ticket_id, theme_id, similarity)
            for document, (theme_id, similarity) in zip(documents, nearest, strict=True)
            if theme_id is not None
        ]
        with unit_of_work(services.session_factory) as session:
            added += add_theme_assignments(session=session, scope=scope, assignments=assignments)
    return added
