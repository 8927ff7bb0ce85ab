"""Use cases that keep the derived knowledge in step with the SQL store.

- ``reindex_knowledge``: rebuild the Chroma collections (playbook texts, tickets)
  from scratch, then score sentiment. Safe at any time: the store is the source of
  truth and the embedding cache means nothing already seen is re-encoded.
- ``refresh_knowledge``: the incremental version for the scheduler: index tickets
  that are new or changed, score new texts, attach new tickets to existing themes.
- ``start_knowledge_warmup``: load the embedding model and the playbook index in a
  background thread when a Slack app starts, so the first themes or playbook
  question pays no model load and no ack ever waits for it.
- ``score_text_sentiment``: sentiment for every ticket and NPS comment whose text
  or classifier changed since it was last scored, and churn intent for every such
  ticket (stored in ``ticket_churn_intent``; a ticket with churn intent is negative).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.db.audit import record_audit
from bot.db.knowledge_repo import (
    TicketTextRow,
    nps_comment_rows,
    stored_churn_versions,
    stored_sentiment_versions,
    ticket_text_rows,
    upsert_text_sentiments,
    upsert_ticket_churn_intents,
)
from bot.db.session import unit_of_work

if TYPE_CHECKING:
    from bot.services import Services
    from knowledge.models import TicketDocument

logger = logging.getLogger(__name__)


def ticket_text(subject: str | None, description: str | None) -> str:
    """The text embedded for a ticket: subject, then description."""
    return "\n".join(part.strip() for part in (subject, description) if part and part.strip())


def to_ticket_document(row: TicketTextRow) -> TicketDocument:
    from knowledge.models import TicketDocument

    return TicketDocument(
        ticket_id=row.ticket_id,
        account_id=row.account_id,
        created_at=row.created_at,
        text=ticket_text(row.subject, row.description),
        csm_id=row.csm_id,
        category=row.category,
        priority=row.priority,
    )


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class SentimentReport:
    tickets_scored: int = 0
    nps_scored: int = 0
    unchanged: int = 0
    model: str = ""
    churn_scored: int = 0
    churn_detected: int = 0


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


def _ticket_model_id(sentiment_model: str, churn_model: str) -> str:
    """Ticket sentiment depends on the churn detector too, so both name the stored row."""
    churn = hashlib.sha256(churn_model.encode()).hexdigest()[:8]
    return f"{sentiment_model}+churn-{churn}"[:64]


def score_text_sentiment(services: Services, *, rescore: bool = False) -> SentimentReport:
    """Score tickets and NPS comments whose text or classifier changed; store the results.

    Tickets also get churn intent (stored per ticket); a ticket with churn intent is
    labelled negative (:func:`knowledge.sentiment.with_churn_intent`).
    """
    from knowledge.sentiment import with_churn_intent

    classifier = services.knowledge.sentiment
    detector = services.knowledge.churn_intent
    model = classifier.model_id
    ticket_model = _ticket_model_id(model, detector.model_id)
    with unit_of_work(services.session_factory) as session:
        tickets = ticket_text_rows(session=session)
        comments = nps_comment_rows(session=session)
        known = {
            "ticket": stored_sentiment_versions(session=session, source="ticket"),
            "nps": stored_sentiment_versions(session=session, source="nps"),
        }
        known_churn = stored_churn_versions(session=session)
    models = {"ticket": ticket_model, "nps": model}
    candidates: list[tuple[str, str, str, str]] = [
        ("ticket", row.ticket_id, row.account_id, ticket_text(row.subject, row.description))
        for row in tickets
    ] + [("nps", row.response_id, row.account_id, row.comment.strip()) for row in comments]

    def stale(item: tuple[str, str, str, str]) -> bool:
        version = (text_hash(item[3]), models[item[0]])
        if known[item[0]].get(item[1]) != version:
            return True
        return item[0] == "ticket" and known_churn.get(item[1]) != (version[0], detector.model_id)

    todo = [item for item in candidates if item[3] and (rescore or stale(item))]
    report = SentimentReport(unchanged=len(candidates) - len(todo), model=model)
    if not todo:
        return report
    results = classifier.score_texts([item[3] for item in todo])
    ticket_items = [item for item in todo if item[0] == "ticket"]
    churn = dict(
        zip(
            [item[1] for item in ticket_items],
            detector.detect([item[3] for item in ticket_items]),
            strict=True,
        )
    )
    now = datetime.now(UTC)
    rows = []
    for (source, source_id, account_id, text), result in zip(todo, results, strict=True):
        if source == "ticket":
            result = with_churn_intent(result, churn[source_id])
        rows.append(
            {
                "source": source,
                "source_id": source_id,
                "account_id": account_id,
                "content_hash": text_hash(text),
                "score": result.score,
                "label": result.label,
                "model": models[source],
                "computed_at": now,
            }
        )
    churn_rows = [
        {
            "ticket_id": source_id,
            "account_id": account_id,
            "content_hash": text_hash(text),
            "detected": churn[source_id].detected,
            "score": churn[source_id].score,
            "reason": churn[source_id].reason,
            "evidence": (churn[source_id].evidence or None) and churn[source_id].evidence[:200],
            "model": detector.model_id,
            "computed_at": now,
        }
        for _, source_id, account_id, text in ticket_items
    ]
    with unit_of_work(services.session_factory) as session:
        upsert_text_sentiments(session=session, rows=rows)
        upsert_ticket_churn_intents(session=session, rows=churn_rows)
    report.tickets_scored = len(ticket_items)
    report.nps_scored = sum(1 for item in todo if item[0] == "nps")
    report.churn_scored = len(churn_rows)
    report.churn_detected = sum(1 for row in churn_rows if row["detected"])
    return report


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
