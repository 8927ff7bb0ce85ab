"""Sentiment and churn intent for ticket and NPS texts, scored once per text and model.

``score_text_sentiment`` scores every ticket and NPS comment whose text or classifier
changed since it was last scored, and churn intent for every such ticket (stored in
``ticket_churn_intent``; a ticket with churn intent is negative). Indexing and themes
both build on it, so it sits below them and imports neither.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

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


def _ticket_model_id(sentiment_model: str, churn_model: str) -> str:
    """Ticket sentiment depends on the churn detector too, so both name the stored row."""
    churn = hashlib.sha256(churn_model.encode()).hexdigest()[:8]
    return f"{sentiment_model}+churn-{churn}"[:64]


def score_text_sentiment(services: Services, *, rescore: bool = False) -> SentimentReport:
    """Score tickets and NPS comments whose text or classifier changed; store the results.

    Tickets also get churn intent (stored per ticket); a ticket with churn intent is
    labelled negative (:func:`knowledge.churn_intent.with_churn_intent`).
    """
    from knowledge.churn_intent import with_churn_intent

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
