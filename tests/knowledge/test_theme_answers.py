"""The themes answer over stored themes, on SQLite and PostgreSQL (no model: nothing to build).

Themes are stored exactly as the rebuild stores them (``replace_scope_themes``);
the answer must read them back ranked by negative tickets (rising first among
equals), with the subjects of the tickets closest to each theme, for exactly the
accounts the asker may see. The playbook retriever runs on the hashing embedder
here; the real-model path is in ``test_theme_answers_minilm.py``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.db.knowledge_repo import ThemeRecord, replace_scope_themes
from bot.db.models import Account, SourceLoad, TextSentiment, Ticket, TicketTheme
from bot.db.session import make_session_factory
from bot.services import Services
from bot.services.answers.pipeline import Answer, Question, answer_question
from bot.services.corpus.toolkit import KnowledgeToolkit
from bot.slack import formatting as fmt
from knowledge.embedding_cache import InMemoryEmbeddingCache
from tests.conftest import make_settings
from tests.support import factories
from tests.support.blockcheck import assert_valid_blocks

NOW = datetime.now(UTC).replace(microsecond=0)
GROUPED = NOW - timedelta(days=1)
ALICE, BOB, MANAGER = "UALICE1", "UBOB1", "UMGR1"

# label, negative share, trend, [(subject, similarity)] — Acme's themes as a rebuild stored them.
ACME_THEMES = [
    ("report · dashboard", 0.0, 0.5, [(f"Report question {i}", 0.5 + i / 100) for i in range(8)]),
    ("invoice · refund", 0.5, 1.0, [(f"Invoice problem {i}", 0.6 + i / 100) for i in range(4)]),
    ("sso · login", 0.4, -0.5, [(f"Login failure {i}", 0.7 - i / 100) for i in range(5)]),
    ("api · rate limit", 1.0, None, [(f"API throttled {i}", 0.8 - i / 100) for i in range(3)]),
]
INITECH_THEME = ("webhook · retries", 1.0, 2.0, [(f"Webhook lost {i}", 0.9) for i in range(6)])


def _store_themes(
    session: Session, scope: str, account_id: str, themes: list[tuple], prefix: str
) -> None:
    records = []
    for position, (label, negative, trend, members) in enumerate(themes):
        ids = []
        for index, (subject, similarity) in enumerate(members):
            ticket_id = f"{prefix}-{position}-{index}"
            created = NOW - timedelta(days=index + 1)
            factories.add_ticket(
                session,
                ticket_id,
                account_id,
                created_at=created,
                status="open",
                category=label.split(" · ")[0],
                subject=subject,
                description=f"{subject}: details",
            )
            ids.append((ticket_id, similarity))
        records.append(
            ThemeRecord(
                label=label,
                terms=label.split(" · "),
                size=len(members),
                negative_share=negative,
                trend=trend,
                examples=[f"{members[0][0]}: details"],
                centroid=[1.0, 0.0],
                members=ids,
            )
        )
    session.flush()
    replace_scope_themes(session=session, scope=scope, themes=records, computed_at=GROUPED)


@pytest.fixture
def stored(engine: Engine, tmp_path: Path, hashing_embedder, chroma_client) -> Services:
    """Alice owns Acme, Bob owns Initech, both report to the manager; themes are stored."""
    with Session(engine) as session:
        factories.add_csm(
            session, "M1", name="Maria Manager", slack_user_id=MANAGER, role="manager"
        )
        factories.add_csm(session, "C1", name="Alice Chen", slack_user_id=ALICE, manager_id="M1")
        factories.add_csm(session, "C2", name="Bob Ortiz", slack_user_id=BOB, manager_id="M1")
        session.flush()
        factories.add_account(session, "A1", name="Acme Corp", csm_id="C1")
        factories.add_account(session, "B1", name="Initech", csm_id="C2")
        session.flush()
        _store_themes(session, "account:A1", "A1", ACME_THEMES, "A")
        _store_themes(session, "account:B1", "B1", [INITECH_THEME], "B")
        # The books: the same tickets, grouped per CSM (Acme's themes reused for brevity).
        replace_scope_themes(
            session=session,
            scope="csm:C1",
            themes=[_copy(theme) for theme in _themes(session, "account:A1")],
            computed_at=GROUPED,
        )
        replace_scope_themes(
            session=session,
            scope="csm:C2",
            themes=[_copy(theme) for theme in _themes(session, "account:B1")],
            computed_at=GROUPED,
        )
        session.add(
            SourceLoad(source="tickets", last_loaded_at=NOW, rows_loaded=26, data_as_of=NOW)
        )
        session.commit()
    url = engine.url.render_as_string(hide_password=False)
    settings = make_settings(tmp_path, url, CSBOT_VISIBILITY="own")
    services = Services(
        settings=settings, engine=engine, session_factory=make_session_factory(engine)
    )
    services.knowledge = KnowledgeToolkit(  # type: ignore[misc]
        services.settings,
        embedder=hashing_embedder,
        cache=InMemoryEmbeddingCache(),
        chroma_client=chroma_client,
    )
    return services


def _themes(session: Session, scope: str) -> list[TicketTheme]:
    return list(session.scalars(select(TicketTheme).where(TicketTheme.scope == scope)))


def _copy(theme: TicketTheme) -> ThemeRecord:
    return ThemeRecord(
        label=theme.label,
        terms=list(theme.terms),
        size=theme.size,
        negative_share=theme.negative_share,
        trend=theme.trend,
        examples=list(theme.examples),
        centroid=list(theme.centroid or []),
        members=[],
    )


def ask(services: Services, text: str, user: str, **extra: object) -> Answer:
    answer = answer_question(services, Question(text, user, now=NOW, **extra))  # type: ignore[arg-type]
    assert_valid_blocks(answer.blocks)
    return answer


def theme_lines(text: str) -> list[str]:
    return re.findall(r"^• \d+\. (.+)$", text, flags=re.MULTILINE)


def test_account_themes_are_ranked_by_negative_tickets_rising_first(stored: Services) -> None:
    with Session(stored.engine) as session:
        before = {(t.id, t.computed_at) for t in _themes(session, "account:A1")}

    answer = ask(stored, "What are Acme's users complaining about?", ALICE)

    assert (answer.intent, answer.account_id) == ("themes", "A1")
    lines = theme_lines(answer.text)
    # api: 3 negative; invoice and sso: 2 each, the rising one first; reports: none.
    assert [line.split(" — ")[0] for line in lines] == [
        "api · rate limit",
        "invoice · refund",
        "sso · login",
        "report · dashboard",
    ]
    assert lines[0].startswith("api · rate limit — 3 tickets · 3 negative (100%) · none in")
    assert lines[1].startswith("invoice · refund — 4 tickets · 2 negative (50%) · 📈 rising (+100%")
    assert lines[2].startswith("sso · login — 5 tickets · 2 negative (40%) · 📉 easing (−50%")
    assert lines[3].startswith("report · dashboard — 8 tickets · none negative · 📈 rising")
    # The two subjects closest to the centre (highest similarity) are the examples.
    assert "e.g. “Invoice problem 3”, “Invoice problem 2”" in answer.text
    assert "e.g. “Login failure 0”, “Login failure 1”" in answer.text
    assert f"4 themes across 20 tickets (grouped {fmt.day(GROUPED)})" in answer.text
    assert "For “api · rate limit”, playbook:" in answer.text
    assert answer.blocks[-1]["block_id"] == "answer_freshness"
    assert "tickets" in answer.text.splitlines()[-1]
    with Session(stored.engine) as session:  # read, never rebuilt
        assert {(t.id, t.computed_at) for t in _themes(session, "account:A1")} == before


def test_a_managers_book_shows_whose_book_each_theme_comes_from(stored: Services) -> None:
    answer = ask(stored, "what is my team complaining about?", MANAGER)

    assert (answer.intent, answer.account_id) == ("themes", None)
    lines = theme_lines(answer.text)
    assert lines[0].startswith("webhook · retries (Bob Ortiz's book) — 6 tickets · 6 negative")
    assert lines[1].startswith("api · rate limit (Alice Chen's book) — 3 tickets")
    assert len(lines) == 5


def test_a_csms_book_never_includes_another_book(stored: Services) -> None:
    answer = ask(stored, "What are customers complaining about?", ALICE)
    assert "api · rate limit" in answer.text
    assert "webhook" not in answer.text.lower() and "Bob" not in answer.text


def test_another_csms_account_is_not_found_under_own_visibility(stored: Services) -> None:
    named = ask(stored, "what are initech's users complaining about?", ALICE)
    picked = ask(stored, "what are their users complaining about?", ALICE, account_id="B1")

    for answer in (named, picked):
        assert answer.intent == "not_found" and answer.account_id is None
        assert "webhook" not in answer.text.lower() and "Initech" not in answer.text
    assert ask(stored, "what are initech's users complaining about?", BOB).account_id == "B1"


def test_too_few_tickets_get_categories_with_stored_sentiment(stored: Services) -> None:
    with Session(stored.engine) as session:
        session.add(Account(account_id="T1", name="Tiny Co", csm_id="C1"))
        session.flush()
        session.add(
            Ticket(
                ticket_id="TINY-1",
                account_id="T1",
                created_at=NOW - timedelta(days=2),
                category="billing",
                subject="Wrong invoice address",
            )
        )
        session.add(
            TextSentiment(
                source="ticket",
                source_id="TINY-1",
                account_id="T1",
                content_hash="x",
                score=-0.42,
                label="negative",
                model="test",
            )
        )
        session.commit()

    answer = ask(stored, "top complaints at tiny co", ALICE)

    assert (answer.intent, answer.account_id) == ("themes", "T1")
    assert "Tiny Co has only 1 ticket with text — too few to group into themes" in answer.text
    assert "• billing — 1 ticket · average sentiment −0.42 · 1 of 1 negative" in answer.text
    with Session(stored.engine) as session:
        assert _themes(session, "account:T1") == []  # nothing was clustered


def test_churn_intent_theme_leads_and_newer_tickets_are_called_out(stored: Services) -> None:
    """A small churn-intent theme outranks a bigger all-negative export theme, and tickets
    filed after the grouping are named instead of silently missing from the counts."""
    from bot.services.corpus.themes import CHURN_THEME

    with Session(stored.engine) as session:
        session.add(Account(account_id="G1", name="Globex", csm_id="C1"))
        session.flush()
        globex = [
            ("export · custom fields", 1.0, 0.0, [(f"Export broken {i}", 0.7) for i in range(9)]),
            (CHURN_THEME, 1.0, None, [("How do we cancel?", 0.9), ("Not renewing", 0.8)]),
        ]
        _store_themes(session, "account:G1", "G1", globex, "G")
        for hours in (2, 5):  # filed after the grouping: not counted in any theme yet
            session.add(
                Ticket(
                    ticket_id=f"G-new-{hours}",
                    account_id="G1",
                    created_at=NOW - timedelta(hours=hours),
                    status="open",
                    subject="Export still failing",
                )
            )
        session.commit()

    answer = ask(stored, "What are Globex's users complaining about?", ALICE)

    lines = theme_lines(answer.text)
    assert lines[0].startswith(f"{CHURN_THEME} — 2 tickets · 2 negative")
    assert lines[1].startswith("export · custom fields — 9 tickets · 9 negative")
    assert "Themes built 1 day ago; 2 newer tickets not yet in them" in answer.text
    with Session(stored.engine) as session:  # answered from the stored themes, not rebuilt
        assert {t.computed_at for t in _themes(session, "account:G1")} == {GROUPED}


def test_no_age_note_when_no_ticket_is_newer_than_the_themes(stored: Services) -> None:
    answer = ask(stored, "What are Acme's users complaining about?", ALICE)
    assert "newer ticket" not in answer.text
