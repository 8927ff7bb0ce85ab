"""The deterministic parser: intents, scopes, the account phrase and the topic."""

from __future__ import annotations

from datetime import date

import pytest

from bot.db.queries.records import AccountName
from bot.services.accounts.names import Mention
from bot.services.answers.intents import Intent
from bot.services.answers.question_parser import parse_question

TODAY = date(2025, 6, 16)
ACME = AccountName(account_id="acc_acme", name="Acme Corp Inc", csm_id="c1", status="active")
RENEWAL_PARTNERS = AccountName("acc_rp", "Renewal Partners", "c1", "active")


def finder(account: AccountName, words_of_name: list[str]):  # noqa: ANN201
    """A mention finder that knows one account, as the name index would."""

    def find(words: list[str]) -> Mention | None:
        size = len(words_of_name)
        for start in range(len(words) - size + 1):
            if words[start : start + size] == words_of_name:
                return Mention(candidates=[account], start=start, end=start + size)
        return None

    return find


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("my renewals", "me"),
        ("renewals for my team", "team"),
        ("team arr", "team"),
        ("all renewals", "all"),
        ("renewals across the company", "all"),
        ("show me all my accounts", "me"),
        ("upcoming renewals", None),
    ],
)
def test_scope_words(text: str, scope: str | None) -> None:
    assert parse_question(text, today=TODAY).scope == scope


def test_account_words_are_removed_before_intent_rules_run() -> None:
    parsed = parse_question(
        "how is renewal partners doing",
        today=TODAY,
        find_mention=finder(RENEWAL_PARTNERS, ["renewal", "partners"]),
    )
    assert parsed.intent == Intent.ACCOUNT_OVERVIEW
    assert parsed.mention is not None


def test_portfolio_question_naming_an_account_becomes_its_account_form() -> None:
    parsed = parse_question("renewals for acme", today=TODAY, find_mention=finder(ACME, ["acme"]))
    assert (parsed.intent, parsed.portfolio_intent) == (Intent.RENEWAL_DATE, Intent.RENEWALS)


def test_stray_words_beside_a_portfolio_question_are_not_a_name() -> None:
    parsed = parse_question("show me upcoming renewals please", today=TODAY)
    assert parsed.intent == Intent.RENEWALS
    assert parsed.account_phrase is None


def test_leftover_words_become_the_account_phrase() -> None:
    parsed = parse_question("how is acmee doing?", today=TODAY)
    assert (parsed.intent, parsed.account_phrase) == (Intent.ACCOUNT_OVERVIEW, "acmee")


def test_date_phrase_is_not_mistaken_for_a_name() -> None:
    parsed = parse_question("my renewals in the next 45 days", today=TODAY)
    assert parsed.intent == Intent.RENEWALS
    assert parsed.window is not None and parsed.window.days == 45
    assert parsed.account_phrase is None


def test_topic_is_what_remains_after_the_account() -> None:
    parsed = parse_question(
        "what should I do about acme's billing complaint?",
        today=TODAY,
        find_mention=finder(ACME, ["acme"]),
    )
    assert parsed.intent == Intent.NEXT_STEPS
    assert parsed.topic == "billing complaint"


@pytest.mark.parametrize(
    ("text", "days"), [("why did acme change this month", 30), ("why did acme drop", 7)]
)
def test_health_change_window(text: str, days: int) -> None:
    assert parse_question(text, today=TODAY).compare_days == days


def test_unrelated_text_matches_no_rule() -> None:
    """No rule matched: a possible bare name, which the answer turns into help if not one."""
    parsed = parse_question("what's the weather like", today=TODAY)
    assert not parsed.matched_rule
    assert parsed.account_phrase == "weather"
    assert parse_question("hello", today=TODAY).intent == Intent.HELP


def test_parser_is_deterministic() -> None:
    runs = [parse_question("renewals next quarter for my team", today=TODAY) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    assert (runs[0].intent, runs[0].scope) == (Intent.RENEWALS, "team")
