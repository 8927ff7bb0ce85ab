"""Routing: "what are they complaining about" (themes) versus "which tickets are open" (tickets)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.db.queries.records import AccountName
from bot.services.answers.intents import Intent
from bot.services.answers.question_parser import parse_question
from tests.services.answers.test_intents import finder

TODAY = date(2025, 6, 16)
ACME = AccountName(account_id="acc_acme", name="Acme Corp Inc", csm_id="c1", status="active")
FIND_ACME = finder(ACME, ["acme"])


@pytest.mark.parametrize(
    ("text", "scope", "names_acme"),
    [
        ("What are Acme's users complaining about?", None, True),
        ("what are acme users complaining about", None, True),
        ("What are customers unhappy about?", None, False),
        ("top complaints", None, False),
        ("top complaints at acme", None, True),
        ("pain points", None, False),
        ("biggest pain points for my team", "team", False),
        ("ticket themes for acme", None, True),
        ("What is my book complaining about?", "me", False),
        ("What are customers complaining about?", None, False),
        ("what are customers complaining about across all accounts", "all", False),
        ("what are acme's tickets about", None, True),
        ("common issues", None, False),
        ("why is acme frustrated", None, True),
    ],
)
def test_complaint_questions_ask_for_themes(text: str, scope: str | None, names_acme: bool) -> None:
    parsed = parse_question(text, today=TODAY, find_mention=FIND_ACME)

    assert parsed.intent == Intent.THEMES
    assert parsed.scope == scope
    assert (parsed.mention is not None) == names_acme
    assert parsed.account_phrase is None  # every other word is vocabulary, not a name


@pytest.mark.parametrize(
    "text",
    [
        "open tickets for acme",
        "recent tickets",
        "tickets for acme",
        "any escalated tickets at acme?",
        "support issues",
        "open bugs at acme",
    ],
)
def test_ticket_list_questions_still_ask_for_tickets(text: str) -> None:
    assert parse_question(text, today=TODAY, find_mention=FIND_ACME).intent == Intent.TICKETS


def test_a_complaint_with_what_to_do_stays_a_next_steps_question() -> None:
    parsed = parse_question(
        "what should I do about acme's billing complaint?", today=TODAY, find_mention=FIND_ACME
    )
    assert (parsed.intent, parsed.topic) == (Intent.NEXT_STEPS, "billing complaint")


def test_an_unknown_word_in_a_themes_question_is_kept_as_the_account_phrase() -> None:
    parsed = parse_question("what are initech users complaining about", today=TODAY)
    assert (parsed.intent, parsed.account_phrase) == (Intent.THEMES, "initech")
