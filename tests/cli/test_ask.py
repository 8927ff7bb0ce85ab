"""`csbot ask` and `csbot chat` through the real CLI, against a real store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.db.models import Account, Csm
from bot.slack import formatting as fmt
from tests.services.qa_world import ADMIN, ALICE, CAROL, STRANGER, build_world
from tests.support.blockcheck import assert_valid_blocks
from tests.support.cli import invoke

REPO = Path(__file__).resolve().parents[2]
HEAVY_MODULES = ("torch", "chromadb", "sklearn", "sentence_transformers", "langchain", "matplotlib")


@pytest.fixture
def world(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    build_world(engine)
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CSBOT_VISIBILITY", "own")
    return engine


@pytest.fixture
def sqlite_world(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    build_world(sqlite_engine)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("CSBOT_DATABASE_URL", url)
    monkeypatch.setenv("CSBOT_VISIBILITY", "own")
    return sqlite_engine


def test_ask_prints_the_answer_with_store_figures(world: Engine) -> None:
    result = invoke("ask", "how is acme doing?", "--as", ALICE)

    assert result.exit_code == 0, result.output
    with Session(world) as session:
        acme = session.get(Account, "acc_acme")
    assert "Acme Corp Inc" in result.stdout
    assert f"ARR: {fmt.money(acme.arr)}" in result.stdout
    assert "Data as of" in result.stdout


def test_ask_json_is_one_object_with_question_text_and_valid_blocks(sqlite_world: Engine) -> None:
    result = invoke("ask", "open tickets for acme", "--as", ALICE, "--json")

    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    payload = json.loads(line)
    assert set(payload) == {"question", "text", "blocks"}
    assert payload["question"] == "open tickets for acme"
    assert "T-100" in payload["text"]
    assert_valid_blocks(payload["blocks"])


def test_ask_file_answers_every_line_in_order(sqlite_world: Engine, tmp_path: Path) -> None:
    questions = ["how is acme doing?", "", "my red accounts", "what's the weather"]
    path = tmp_path / "questions.txt"
    path.write_text("\n".join(questions) + "\n", encoding="utf-8")

    result = invoke("ask", "--file", str(path), "--as", ALICE, "--json")

    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["question"] for a in answers] == [q for q in questions if q]
    assert "Stark Industries" in answers[1]["text"]
    assert "I can't answer that yet" in answers[2]["text"]


def test_ask_as_an_unknown_user_exits_2_with_the_valid_forms(sqlite_world: Engine) -> None:
    for command in (["ask", "how is acme doing?"], ["chat"]):
        result = invoke(*command, "--as", STRANGER, input="how is acme doing?\n")
        assert result.exit_code == 2, result.output
        assert "a Slack user id" in result.stderr and "an email" in result.stderr
        assert "a CSM's name" in result.stderr
        assert "Acme" not in result.stdout


@pytest.mark.parametrize("who", [ALICE, "ualice01", "alice@example.com", "Alice Able", "alice"])
def test_ask_as_takes_a_slack_id_an_email_or_a_name(sqlite_world: Engine, who: str) -> None:
    with Session(sqlite_world) as session:
        session.get(Csm, "csm_alice").email = "Alice@Example.com"
        session.commit()
    result = invoke("ask", "how is acme doing?", "--as", who)
    assert result.exit_code == 0, result.output
    assert "Acme Corp Inc" in result.stdout
    hidden = invoke("ask", "how is hooli doing?", "--as", who)  # Carol's: Alice's scope applies
    assert "Hooli" not in hidden.stdout


def test_ask_defaults_to_the_stores_admin(sqlite_world: Engine) -> None:
    result = invoke("ask", "how is hooli doing?")  # only the admin (or Carol) may see Hooli
    assert result.exit_code == 0, result.output
    assert "Hooli" in result.stdout and "€300,000" in result.stdout


def test_ask_needs_a_question_or_a_file(sqlite_world: Engine) -> None:
    result = invoke("ask", "--as", ADMIN)
    assert result.exit_code == 2
    assert "give either a QUESTION or --file FILE" in result.stderr


def test_ask_with_an_unreadable_file_says_which(sqlite_world: Engine, tmp_path: Path) -> None:
    result = invoke("ask", "--file", str(tmp_path / "missing.txt"))
    assert result.exit_code == 2
    assert "missing.txt" in result.stderr


def test_chat_keeps_the_account_for_follow_ups(sqlite_world: Engine) -> None:
    result = invoke(
        "chat", "--as", ALICE, input="how is acme doing?\nand their open tickets?\nquit\n"
    )
    assert result.exit_code == 0, result.output
    assert "Tickets: Acme Corp Inc" in result.stdout


def test_chat_pages_and_picks_from_choices(sqlite_world: Engine) -> None:
    paged = invoke("chat", "--as", CAROL, input="my accounts\nmore\nmore\n")
    assert paged.exit_code == 0, paged.output
    assert "(type 'more' for the next page)" in paged.stdout
    assert "11–14 of 14" in paged.stdout
    assert "That was everything." in paged.stdout

    picked = invoke("chat", "--as", ADMIN, input="how is globex doing\n2\n")
    assert picked.exit_code == 0, picked.output
    assert "Pick one: [1] Globex Corporation  [2] Globex Inc" in picked.stdout
    assert picked.stdout.count("Globex Inc\n==========") == 1


def test_ask_path_imports_no_heavy_libraries(sqlite_world: Engine) -> None:
    """``csbot ask`` must start fast: no torch, chromadb, scikit-learn or langchain."""
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from bot.cli import app\n"
        f"result = CliRunner().invoke(app, ['ask', 'how is acme doing?', '--as', '{ALICE}'])\n"
        "assert result.exit_code == 0, result.output\n"
        "assert 'Acme Corp Inc' in result.stdout\n"
        f"print(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if k.startswith(("CSBOT_", "PATH", "HOME", "HF_"))}
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={**env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip().splitlines()[-1] == "[]"


def test_account_card_names_churn_intent_tickets(sqlite_world: Engine, time_machine) -> None:
    from datetime import timedelta

    from bot.db.models import Ticket, TicketChurnIntent
    from tests.services.qa_world import NOW

    with Session(sqlite_world) as session:
        session.add(
            Ticket(
                ticket_id="T-120",
                account_id="acc_acme",
                created_at=NOW - timedelta(days=3),
                status="open",
                priority="normal",
                subject="How do we cancel?",
            )
        )
        session.add(
            TicketChurnIntent(
                ticket_id="T-120",
                account_id="acc_acme",
                content_hash="x",
                detected=True,
                score=0.97,
                reason="cancel",
                evidence="How do we cancel?",
                model="churn-test",
                computed_at=NOW,
            )
        )
        session.commit()
    time_machine.move_to(NOW, tick=False)

    result = invoke("ask", "how is acme doing?", "--as", ALICE)

    assert result.exit_code == 0, result.output
    assert "Churn intent" in result.stdout and "T-120" in result.stdout
    assert "How do we cancel?" in result.stdout
    other = invoke("ask", "how is globex doing?", "--as", ADMIN)
    assert "Churn intent" not in other.stdout


def test_chat_keeps_info_logs_out_of_the_answers(sqlite_world: Engine, monkeypatch) -> None:
    monkeypatch.setenv("CSBOT_LOG_LEVEL", "INFO")
    result = invoke("chat", "--as", ADMIN, input="how is acme doing?\nquit\n")
    assert result.exit_code == 0, result.output
    assert "Acme" in result.stdout
    assert "info " not in result.output and "bot.services.answers.pipeline" not in result.output


def test_ask_as_a_csm_without_a_slack_id_or_a_shared_first_name_exits_2(
    sqlite_world: Engine,
) -> None:
    no_slack = invoke("ask", "my accounts", "--as", "Dan Nobody")
    assert no_slack.exit_code == 2
    assert "has no Slack user id" in no_slack.stderr and "a Slack user id" in no_slack.stderr
    with Session(sqlite_world) as session:
        session.add(Csm(csm_id="csm_alice2", name="Alice Other", slack_user_id="UALICE02"))
        session.commit()
    shared = invoke("ask", "my accounts", "--as", "alice")
    assert shared.exit_code == 2
    assert "Alice Able (UALICE01)" in shared.stderr and "Alice Other (UALICE02)" in shared.stderr
