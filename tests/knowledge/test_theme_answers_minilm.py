"""'What are Acme's users complaining about?' end to end, with the real MiniLM model.

One imported contract folder (three clear ticket topics at Acme, a one-ticket
account, another CSM's account) is shared by the module: the first question
groups Acme's tickets on demand, later ones read what it stored. Expected
figures are read back from the store, never retyped. Then the same question
through ``csbot ask --json`` and through a signed Slack DM into the real app.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from bot.cli import app
from bot.db.models import TextSentiment, TicketTheme, TicketThemeAssignment
from bot.db.session import make_session_factory
from bot.services import Services
from bot.services.answers.pipeline import Answer, Question, answer_question
from bot.services.corpus.toolkit import KnowledgeToolkit
from bot.sources.importer import import_folder
from knowledge.embedding_cache import InMemoryEmbeddingCache
from tests.conftest import make_settings
from tests.knowledge.theme_world import ADMIN, ALICE, BOB, build_theme_folder, topic_of
from tests.support.blockcheck import assert_valid_blocks, assert_valid_message
from tests.support.databases import migrated_engine
from tests.support.fake_slack import FakeSlackApi
from tests.support.slack_fixtures import build_harness

pytestmark = pytest.mark.slow

ACME_QUESTION = "What are Acme's users complaining about?"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, minilm) -> Iterator[Services]:
    """The imported folder on SQLite, answered with the warm model and an in-memory cache."""
    tmp = tmp_path_factory.mktemp("themes")
    url = f"sqlite:///{(tmp / 'csbot.db').as_posix()}"
    with migrated_engine(url) as engine:
        import_folder(build_theme_folder(tmp / "contract"), engine)
        settings = make_settings(tmp, url, CSBOT_VISIBILITY="own")
        services = Services(
            settings=settings, engine=engine, session_factory=make_session_factory(engine)
        )
        services.knowledge = KnowledgeToolkit(  # type: ignore[misc]
            settings, embedder=minilm, cache=InMemoryEmbeddingCache()
        )
        yield services


def ask(services: Services, text: str, user: str) -> Answer:
    answer = answer_question(services, Question(text, user))
    assert_valid_blocks(answer.blocks)
    return answer


def stored_themes(services: Services, scope: str) -> list[TicketTheme]:
    with Session(services.engine) as session:
        return list(session.scalars(select(TicketTheme).where(TicketTheme.scope == scope)))


def members(services: Services, theme_id: int) -> list[str]:
    with Session(services.engine) as session:
        query = select(TicketThemeAssignment.ticket_id).where(
            TicketThemeAssignment.theme_id == theme_id
        )
        return list(session.scalars(query))


@pytest.fixture(scope="module")
def acme_answer(world: Services) -> Answer:
    """The first Acme question: nothing is stored yet, so it groups the tickets now."""
    assert stored_themes(world, "account:A1") == []
    return ask(world, ACME_QUESTION, ALICE)


def test_acme_themes_are_grouped_on_demand_and_match_the_store(
    world: Services, acme_answer: Answer
) -> None:
    themes = stored_themes(world, "account:A1")

    assert (acme_answer.intent, acme_answer.account_id) == ("themes", "A1")
    assert "grouped just now" in acme_answer.text
    assert sum(theme.size for theme in themes) == 30
    # Every theme holds one topic only, and every topic became a theme.
    topics = [{topic_of(ticket) for ticket in members(world, theme.id)} for theme in themes]
    assert all(len(found) == 1 for found in topics)
    assert set().union(*topics) == {"billing", "access", "reporting"}
    for theme in themes:
        negative = round(theme.negative_share * theme.size)
        shown = f"{theme.label} — {theme.size} tickets · "
        assert shown in acme_answer.text
        if negative:
            assert f"{shown}{negative} negative" in acme_answer.text
    # The angry, recent billing complaints lead; the neutral reporting questions come last.
    lines = re.findall(r"^• \d+\. (.+?) — ", acme_answer.text, flags=re.MULTILINE)
    by_label = {theme.label: theme for theme in themes}
    first, last = by_label[lines[0]], by_label[lines[-1]]
    assert {topic_of(t) for t in members(world, first.id)} == {"billing"}
    assert {topic_of(t) for t in members(world, last.id)} == {"reporting"}
    assert f"For “{first.label}”, playbook: Failed or overdue payment" in acme_answer.text
    assert "Data as of" in acme_answer.text.splitlines()[-1]


def test_asking_again_reads_the_stored_themes(world: Services, acme_answer: Answer) -> None:
    before = {(theme.id, theme.computed_at) for theme in stored_themes(world, "account:A1")}
    again = ask(world, "top complaints at acme", ALICE)

    assert {(theme.id, theme.computed_at) for theme in stored_themes(world, "account:A1")} == before
    assert "grouped just now" not in again.text
    assert again.text.split("\n", 3)[3] == acme_answer.text.split("\n", 3)[3]  # same themes


def test_a_one_ticket_account_gets_its_categories(world: Services) -> None:
    answer = ask(world, "what are Tiny Co's users complaining about?", ALICE)

    with Session(world.engine) as session:
        score = session.scalar(
            select(func.avg(TextSentiment.score)).where(TextSentiment.source_id == "TINY-1")
        )
    assert (answer.intent, answer.account_id) == ("themes", "A2")
    assert "Tiny Co has only 1 ticket with text — too few to group into themes" in answer.text
    sign = "−" if score < 0 else "+"
    assert f"• billing — 1 ticket · average sentiment {sign}{abs(score):.2f}" in answer.text
    assert stored_themes(world, "account:A2") == []


def test_another_csms_account_is_refused_under_own_visibility(world: Services) -> None:
    answer = ask(world, "what are Initech's users complaining about?", ALICE)

    assert answer.intent == "not_found" and answer.account_id is None
    assert "rate limit" not in answer.text.lower()
    assert stored_themes(world, "account:B1") == []  # nothing was grouped for Alice


def test_books_cover_only_what_the_viewer_may_see(world: Services, acme_answer: Answer) -> None:
    mine = ask(world, "What is my book complaining about?", ALICE)
    everyone = ask(world, "What are customers complaining about?", ADMIN)

    book = stored_themes(world, "csm:C1")
    assert sum(theme.size for theme in book) == 31  # Acme's 30 and Tiny Co's one
    assert "api" not in mine.text.lower()
    portfolio = stored_themes(world, "portfolio")
    assert sum(theme.size for theme in portfolio) == 37
    assert any("api" in theme.label.lower() for theme in portfolio)
    assert all(f"{theme.label} — {theme.size} ticket" in everyone.text for theme in portfolio)
    assert ask(world, "What is my book complaining about?", BOB).account_id is None


def test_csbot_ask_json_answers_a_themes_question(
    world: Services, acme_answer: Answer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSBOT_DATABASE_URL", world.settings.resolved_database_url)
    monkeypatch.setenv("CSBOT_VISIBILITY", "own")

    result = CliRunner().invoke(app, ["ask", ACME_QUESTION, "--as", ALICE, "--json"])

    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    payload = json.loads(line)
    assert payload["question"] == ACME_QUESTION
    assert_valid_blocks(payload["blocks"])
    for theme in stored_themes(world, "account:A1"):
        assert f"{theme.label} — {theme.size} tickets" in payload["text"]
    assert "playbook: Failed or overdue payment" in payload["text"]


def test_slack_dm_gets_the_themes(
    world: Services, acme_answer: Answer, fake_slack: FakeSlackApi, tmp_path: Path
) -> None:
    harness = build_harness(fake_slack, tmp_path, world.engine, CSBOT_VISIBILITY="own")
    harness.services.knowledge = world.knowledge  # type: ignore[misc]  # the warm model

    response = harness.dm(ACME_QUESTION, user=ALICE)

    assert response.status == 200
    [reply] = fake_slack.calls("chat.postMessage")
    assert_valid_message(reply)
    assert reply["blocks"][0]["text"]["text"] == "Ticket themes: Acme Corp"
    for theme in stored_themes(world, "account:A1"):
        assert f"{theme.label} — {theme.size} tickets" in reply["text"]
    assert fake_slack.calls("assistant.threads.setStatus")[0]["status"] == "is working…"
