"""Use cases that keep the derived knowledge in step with the SQL store.

- ``reindex_knowledge``: rebuild the Chroma collections (playbook texts, tickets)
  from scratch, then score sentiment. Safe at any time: the store is the source of
  truth and the embedding cache means nothing already seen is re-encoded.
- ``refresh_knowledge``: the incremental version for the scheduler: index tickets
  that are new or changed, score new texts, attach new tickets to existing themes.
- ``start_knowledge_warmup``: load the embedding model and the playbook index in a
  background thread when a Slack app starts, so the first themes or playbook
  question pays no model load and no ack ever waits for it.
Sentiment and churn intent scoring live in ``bot.services.corpus.sentiment``.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC
from typing import TYPE_CHECKING, Any

from bot.db.audit import record_audit
from bot.db.knowledge_repo import ticket_text_rows
from bot.db.session import unit_of_work
from bot.services.corpus.sentiment import (
    SentimentReport,
    score_text_sentiment,
    text_hash,
    to_ticket_document,
)

if TYPE_CHECKING:
    from bot.services import Services
    from knowledge.models import TicketDocument

logger = logging.getLogger(__name__)


@dataclass
class KnowledgeReport:
    """What a reindex or refresh did; ``embedded`` counts texts the model actually encoded."""

    playbook_documents: int = 0
    tickets_indexed: int = 0
    embedded: int = 0
    cache_hits: int = 0
    themes_assigned: int = 0
    sentiment: SentimentReport = field(default_factory=SentimentReport)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ticket_metadata(document: TicketDocument, content_hash: str) -> dict[str, Any]:
    created = document.created_at.astimezone(UTC)
    metadata: dict[str, Any] = {
        "account_id": document.account_id,
        "created_at": created.isoformat(),
        "created_date": created.date().isoformat(),
        "created_ts": int(created.timestamp()),
        "content_hash": content_hash,
    }
    for key in ("csm_id", "category", "priority"):
        value = getattr(document, key)
        if value:
            metadata[key] = value
    return metadata


def _index_tickets(services: Services, documents: list[TicketDocument]) -> int:
    from knowledge.vector_store import TICKETS, collection_name

    toolkit = services.knowledge
    if not documents:
        return 0
    vectors = toolkit.embedder.embed([document.text for document in documents])
    name = collection_name(TICKETS, toolkit.embedder.model_id)
    return toolkit.vector_store.upsert(
        name,
        ids=[document.ticket_id for document in documents],
        embeddings=vectors,
        documents=[document.text for document in documents],
        metadatas=[_ticket_metadata(d, text_hash(d.text)[:16]) for d in documents],
    )


def reindex_knowledge(services: Services, *, actor: str = "system") -> KnowledgeReport:
    """Drop and rebuild the vector collections from the SQL store, then score sentiment."""
    from knowledge.vector_store import TICKETS, collection_name

    started = time.perf_counter()
    toolkit = services.knowledge
    before = asdict(toolkit.embedder.stats)
    report = KnowledgeReport()
    report.playbook_documents = toolkit.retriever.ensure_indexed(force=True)
    with unit_of_work(services.session_factory) as session:
        rows = ticket_text_rows(session=session)
    documents = [to_ticket_document(row) for row in rows]
    toolkit.vector_store.drop(collection_name(TICKETS, toolkit.embedder.model_id))
    report.tickets_indexed = _index_tickets(services, documents)
    report.sentiment = score_text_sentiment(services)
    _finish(services, report, before, started, actor, "knowledge.reindex")
    return report


def refresh_knowledge(services: Services, *, actor: str = "system") -> KnowledgeReport:
    """Index new or changed tickets, score new texts, attach new tickets to themes."""
    from bot.services.corpus.themes import assign_new_tickets
    from knowledge.vector_store import TICKETS, collection_name

    started = time.perf_counter()
    toolkit = services.knowledge
    before = asdict(toolkit.embedder.stats)
    report = KnowledgeReport()
    report.playbook_documents = toolkit.retriever.ensure_indexed()
    with unit_of_work(services.session_factory) as session:
        rows = ticket_text_rows(session=session)
    documents = [to_ticket_document(row) for row in rows]
    name = collection_name(TICKETS, toolkit.embedder.model_id)
    stored = toolkit.vector_store.get_metadata(name)
    changed = [
        d
        for d in documents
        if stored.get(d.ticket_id, {}).get("content_hash") != text_hash(d.text)[:16]
    ]
    report.tickets_indexed = _index_tickets(services, changed)
    report.sentiment = score_text_sentiment(services)
    report.themes_assigned = assign_new_tickets(services)
    _finish(services, report, before, started, actor, "knowledge.refresh")
    return report


def _finish(
    services: Services,
    report: KnowledgeReport,
    before: dict[str, int],
    started: float,
    actor: str,
    action: str,
) -> None:
    stats = services.knowledge.embedder.stats
    report.embedded = stats.encoded - before["encoded"]
    report.cache_hits = stats.cache_hits - before["cache_hits"]
    report.seconds = round(time.perf_counter() - started, 3)
    with unit_of_work(services.session_factory) as session:
        record_audit(session=session, actor=actor, action=action, detail=report.to_dict())
    logger.info(action, extra=report.to_dict())


def warm_knowledge(services: Services) -> None:
    """Load the query embedder and index the playbooks now rather than on a first question.

    The themes answer reads stored themes (no model), but its playbook suggestion
    embeds a query; loading MiniLM there cost a first asker tens of seconds. Failures
    are logged only: the question path still loads lazily and reports its own errors.
    """
    started = time.perf_counter()
    toolkit = services.knowledge
    try:
        toolkit.embedder.inner.embed(["warm up"])
        toolkit.retriever.ensure_indexed()
    except Exception:  # noqa: BLE001 - a cold model is slower, not broken
        logger.exception("knowledge warm-up failed")
        return
    logger.info(
        "knowledge warm",
        extra={
            "model": toolkit.embedder.model_id,
            "seconds": round(time.perf_counter() - started, 3),
        },
    )


def start_knowledge_warmup(services: Services) -> threading.Thread:
    """Warm the knowledge layer on a daemon thread (never blocks start-up or an ack)."""
    thread = threading.Thread(
        target=warm_knowledge, args=(services,), name="csbot-knowledge-warmup", daemon=True
    )
    thread.start()
    return thread
