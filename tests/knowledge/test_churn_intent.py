"""Churn intent: the explicit phrases, and the per-ticket signal the knowledge jobs store."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import TextSentiment, TicketChurnIntent, TicketThemeAssignment
from bot.db.session import unit_of_work
from bot.services import Services
from bot.services.corpus.indexing import refresh_knowledge, reindex_knowledge
from bot.services.corpus.toolkit import KnowledgeToolkit
from bot.sources.importer import import_folder
from knowledge.churn_intent import match_churn_phrase
from knowledge.embedding_cache import InMemoryEmbeddingCache
from knowledge.embeddings import HashingEmbedder
from tests.knowledge.store import TICKETS, build_knowledge_folder

CHURN_TICKETS = [
    ("T90", "A2", 1, "How do we cancel?", "What is the process for cancelling our subscription?"),
    (
        "T91",
        "A2",
        2,
        "Evaluating other vendors",
        "Considering other options, we are evaluating alternatives ahead of renewal.",
    ),
    ("T92", "A2", 3, "Thank you!", "Thanks for the quick fix, everything works perfectly now."),
]


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("How do we cancel?", "cancel"),
        ("URGENT: Not renewing our contract", "non_renewal"),
        ("What export options do we have if we switch to Zendesk?", "switch_named"),
        ("Leadership asked us to cut tools for next year", "budget_cut"),
        ("We need a full export of all our data", "full_export"),
        ("Considering other options, we are evaluating alternatives", "alternatives"),
        ("What is the early termination fee?", "terminate"),
    ],
)
def test_explicit_churn_phrases(text: str, phrase: str):
    match = match_churn_phrase(text)
    assert match is not None and match.phrase == phrase


@pytest.mark.parametrize(
    "text",
    [
        "Please cancel the meeting on Friday",
        "How do I switch to the Pro plan?",
        "Please remove leavers from account",
        "I'd like to cancel my subscription to the newsletter",
        "Other tools we use already have this.",
        "Thanks for the quick fix, works perfectly.",
    ],
)
def test_look_alikes_are_not_churn(text: str):
    assert match_churn_phrase(text) is None


@pytest.fixture
def store(services: Services, tmp_path, chroma_client) -> Services:
    folder = build_knowledge_folder(tmp_path / "contract", extra_tickets=CHURN_TICKETS)
    import_folder(folder, services.engine)
    services.knowledge = KnowledgeToolkit(  # type: ignore[misc]
        services.settings,
        embedder=HashingEmbedder(),
        cache=InMemoryEmbeddingCache(),
        chroma_client=chroma_client,
    )
    return services


def test_reindex_stores_churn_intent_per_ticket_and_churn_is_negative(store: Services):
    report = reindex_knowledge(store)
    assert report.sentiment.churn_scored == 13
    with unit_of_work(store.session_factory) as session:
        churn = {row.ticket_id: row for row in session.scalars(select(TicketChurnIntent))}
        sentiment = {
            row.source_id: row
            for row in session.scalars(
                select(TextSentiment).where(TextSentiment.source == "ticket")
            )
        }
    assert churn["T90"].detected and churn["T90"].reason == "cancel"
    assert churn["T91"].detected and churn["T91"].account_id == "A2"
    assert "evaluating alternatives" in (churn["T91"].evidence or "")
    assert not churn["T92"].detected
    assert sentiment["T90"].label == "negative" and sentiment["T90"].score <= -0.5
    assert sentiment["T91"].label == "negative"

    again = refresh_knowledge(store)
    assert again.sentiment.churn_scored == 0  # nothing changed, nothing re-scored


def test_churn_intent_tickets_get_their_own_theme_and_labels_are_subjects(store: Services):
    from bot.db.knowledge_repo import scope_themes
    from bot.services.corpus.themes import CHURN_THEME, account_scope, rebuild_themes

    reindex_knowledge(store)
    themes = rebuild_themes(store, account_scope("A2"), max_themes=3)
    [churn] = [theme for theme in themes if theme.label == CHURN_THEME]
    assert churn.size == 2
    with unit_of_work(store.session_factory) as session:
        stored = scope_themes(session=session, scope=account_scope("A2"))
        members = {
            row.ticket_id: row.theme_id
            for row in session.scalars(
                select(TicketThemeAssignment).where(TicketThemeAssignment.scope == "account:A2")
            )
        }
    churn_theme = next(theme.id for theme in stored if theme.label == CHURN_THEME)
    assert members["T90"] == members["T91"] == churn_theme
    assert all(members[t] != churn_theme for t in members if t not in ("T90", "T91"))
    subjects = {subject for _, _, _, subject, _ in TICKETS + CHURN_TICKETS}
    for theme in (theme for theme in themes if theme.label != CHURN_THEME):
        assert theme.label in subjects  # the customers' own words, not "invoice · we'd · next"
        assert len(set(theme.examples)) == len(theme.examples)
