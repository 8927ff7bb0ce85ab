"""The cancellation-save CTA: churn intent found in tickets raises one urgent CTA per account."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import Cta, Ticket
from bot.db.session import unit_of_work
from bot.services.corpus.sentiment import score_text_sentiment
from bot.services.corpus.toolkit import KnowledgeToolkit
from bot.services.ctas.raising import raise_ctas
from bot.services.ctas.rules_config import load_rules_config
from knowledge.embedding_cache import InMemoryEmbeddingCache
from knowledge.embeddings import HashingEmbedder
from tests.jobs import store
from tests.jobs.store import NOW


def _ticket(session, account_id: str, ticket_id: str, subject: str, body: str, days_ago: int):
    session.add(
        Ticket(
            ticket_id=ticket_id,
            account_id=account_id,
            created_at=NOW - timedelta(days=days_ago),
            priority="normal",
            status="open",
            subject=subject,
            description=body,
        )
    )


def test_churn_intent_tickets_raise_one_cancellation_save_cta_per_account(services):
    services.knowledge = KnowledgeToolkit(  # type: ignore[misc]
        services.settings,
        embedder=HashingEmbedder(),
        cache=InMemoryEmbeddingCache(),
    )
    with unit_of_work(services.session_factory) as session:
        store.add_team(session)
        for account_id in ("leaving", "switching", "happy", "old_news"):
            store.add_account(session, account_id)
        _ticket(session, "leaving", "c1", "How do we cancel?", "What is the process?", 2)
        _ticket(session, "leaving", "c2", "Not renewing", "We will not be renewing.", 1)
        _ticket(
            session,
            "switching",
            "c3",
            "Moving our data out",
            "What export options do we have if we switch to Zendesk?",
            3,
        )
        _ticket(
            session, "happy", "c4", "Thank you!", "Thanks for the quick fix, works perfectly.", 1
        )
        _ticket(session, "old_news", "c5", "How do we cancel?", "Cancellation process?", 40)
    score_text_sentiment(services)

    rules = load_rules_config()
    with unit_of_work(services.session_factory) as session:
        first = raise_ctas(session, settings=services.settings, rules=rules, now=NOW)
    with unit_of_work(services.session_factory) as session:
        ctas = session.scalars(select(Cta).where(Cta.rule == "cancellation_save")).all()
    assert first.by_rule.get("cancellation_save") == 2
    assert {c.account_id for c in ctas} == {"leaving", "switching"}
    leaving = next(c for c in ctas if c.account_id == "leaving")
    assert leaving.playbook_id == "cancellation-save" and leaving.priority == "urgent"
    assert "c1" in leaving.reason and "(+1 more)" in leaving.reason
    assert leaving.details["ticket_ids"] == ["c1", "c2"]

    # a new churn ticket the next day does not raise a second CTA for the same account
    with unit_of_work(services.session_factory) as session:
        _ticket(session, "switching", "c6", "Cancel", "Please cancel our subscription.", 0)
    score_text_sentiment(services)
    with unit_of_work(services.session_factory) as session:
        later = raise_ctas(
            session, settings=services.settings, rules=rules, now=NOW + timedelta(days=1)
        )
    assert later.by_rule.get("cancellation_save", 0) == 0
