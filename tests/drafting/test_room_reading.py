"""Drafts read the room, through `csbot draft email|summary`: concern first, grammar right.

The rich account (tests/drafting/store.py) has an overdue invoice, a detractor NPS
answer and red health; each test adds the rows its case needs to the same store.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from bot.db.models import Account, Contact, Contract, Invoice, Ticket
from bot.db.session import unit_of_work
from knowledge.churn_intent import match_churn_phrase
from tests.drafting.grammar import grammar_errors
from tests.drafting.store import ACCOUNT_ID, at
from tests.support.cli import invoke
from tests.support.fake_openai import FakeOpenAI, json_reply

AS_OF = "2026-05-15"


@pytest.fixture
def store_env(seeded_sqlite_services, monkeypatch: pytest.MonkeyPatch):
    url = seeded_sqlite_services.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("CSBOT_DATABASE_URL", url)
    return seeded_sqlite_services


def _add(services, *rows) -> None:
    with unit_of_work(services.session_factory) as session:
        session.add_all(rows)


def _draft(*args: str) -> dict:
    result = invoke("draft", *args, "--json", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _paragraphs(body: str) -> list[str]:
    return body.split("\n\n")


def test_renewal_email_to_a_customer_asking_how_to_cancel_opens_with_their_concern(store_env):
    _add(
        store_env,
        Ticket(
            ticket_id="T-200",
            account_id=ACCOUNT_ID,
            created_at=at(date(2026, 5, 12)),
            status="open",
            priority="normal",
            subject="How do we cancel?",
            description="What is the process for cancelling, and what happens to our data?",
        ),
    )

    data = _draft("email", ACCOUNT_ID, "--purpose", "renewal")

    paragraphs = _paragraphs(data["body"])
    assert data["grounding"] == {"verified": True, "unsupported": []}
    assert data["subject"] == "Your Acme Robotics Inc contract and your recent request"
    assert paragraphs[0] == "Hi Omar,"
    assert paragraphs[1].startswith(
        "I saw your message in ticket T-200, opened on May 12, 2026, and I want to answer it "
        "personally before anything else."
    )
    assert any(p.startswith("Could we find time for a call this week?") for p in paragraphs)
    assert "value your team has seen" not in data["body"]
    assert "cancel" not in data["body"].lower()  # the customer's words are never quoted back
    assert "I also see 2 other open support tickets" in data["body"]
    assert "they are resolved" in data["body"] and grammar_errors(data["body"]) == []


def test_expansion_email_to_an_unhappy_customer_is_no_upsell(store_env):
    data = _draft("email", ACCOUNT_ID, "--purpose", "expansion")

    paragraphs = _paragraphs(data["body"])
    assert data["grounding"]["verified"] is True
    assert data["subject"] == "Checking in on how things are going at Acme Robotics Inc"
    # The overdue invoice outranks the detractor score and red health.
    assert paragraphs[1] == (
        "First, I noticed that invoice INV-9 for $10,000, issued on April 1, 2026, is overdue "
        "(due May 1, 2026). I'm happy to help sort this out with our billing team so it "
        "doesn't get in your way."
    )
    assert "growth" not in data["body"] and "licensed seats" not in data["body"]
    assert "Health" not in data["body"]  # red health shapes the tone; it is never named


def test_summary_leads_with_the_risks_concerns_first(store_env):
    _add(
        store_env,
        Ticket(
            ticket_id="T-201",
            account_id=ACCOUNT_ID,
            created_at=at(date(2026, 5, 11)),
            status="open",
            priority="high",
            subject="Evaluating other vendors",
            description="We're evaluating alternatives ahead of the renewal.",
        ),
    )

    data = _draft("summary", ACCOUNT_ID)

    lines = data["body"].splitlines()
    assert data["grounding"] == {"verified": True, "unsupported": []}
    assert lines[:6] == [
        "*Risks*",
        "• Churn intent: open ticket T-201, opened on May 11, 2026, says the customer may leave.",
        "• Invoice INV-9 for $10,000, issued on April 1, 2026, is overdue (due May 1, 2026).",
        "• NPS response of 4/10 from Sarah Lee on April 28, 2026; the comment's sentiment is "
        "negative.",
        "• Health score is 42/100 (red) as of May 14, 2026.",
        "• Health driver: Active users down 40% vs the prior 30 days.",
    ]
    assert lines.count("• Health score is 42/100 (red) as of May 14, 2026.") == 1


def test_one_open_ticket_and_an_enterprise_account_read_right(store_env):
    _add(
        store_env,
        Contact(
            contact_id="CON-9",
            account_id="ACC-2",
            name="Lena Ortiz",
            email="lena@acmelogistics.com",
            is_decision_maker=True,
            is_active=True,
        ),
        Contract(
            contract_id="CT-9",
            account_id="ACC-2",
            start_date=date(2025, 8, 1),
            end_date=date(2026, 7, 31),
            arr=Decimal("50000"),
            status="active",
        ),
        Ticket(
            ticket_id="T-300",
            account_id="ACC-2",
            created_at=at(date(2026, 5, 5)),
            status="open",
            priority="normal",
            subject="Report colours",
        ),
    )
    with unit_of_work(store_env.session_factory) as session:
        account = session.get(Account, "ACC-2")
        account.segment, account.industry = "enterprise", "Logistics"

    email = _draft("email", "Acme Logistics", "--purpose", "renewal")
    summary = _draft("summary", "Acme Logistics")

    assert email["grounding"]["verified"] is True and summary["grounding"]["verified"] is True
    assert (
        "I also see 1 open support ticket on your account, and I want to make sure it is "
        "resolved well before then." in email["body"]
    )
    assert "value your team has seen" in email["body"]  # nothing to worry about: the usual ask
    assert "an enterprise Logistics customer" in summary["body"]
    assert summary["body"].startswith("*Situation*")
    assert grammar_errors(email["body"]) == [] and grammar_errors(summary["body"]) == []


def test_a_summary_naming_a_paid_invoice_date_passes_grounding(
    store_env, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
):
    _add(
        store_env,
        Invoice(
            invoice_id="I0000481",
            account_id=ACCOUNT_ID,
            issued_at=date(2026, 5, 5),
            amount=Decimal("10250.50"),
            due_at=date(2026, 6, 4),
            paid_at=date(2026, 5, 12),
            status="paid",
        ),
    )
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("CSBOT_LLM_MODEL", "fake-gpt")
    fake_openai.script(
        json_reply(
            "Account brief: Acme Robotics Inc",
            "Risks\n- Invoice INV-9 for $10,000 is overdue.\n\n"
            "Situation\n- The latest invoice, I0000481 for $10,250.50, was issued on May 5 "
            "and paid on May 12, 2026 (due Jun 4).",
        )
    )

    data = _draft("summary", ACCOUNT_ID)

    assert data["model"] == "fake-gpt", data["notes"]
    assert data["grounding"] == {"verified": True, "unsupported": []}
    assert "[unverified" not in data["body"]
    fact = next(f for f in data["facts"] if f["key"] == "invoice.I0000481")
    assert fact["text"] == (
        "Invoice I0000481 for $10,250.50, issued on May 5, 2026, was paid on May 12, 2026 "
        "(due June 4, 2026)."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How do we cancel?", True),
        ("Re: Cancellation process", True),
        ("Escalation: Not renewing our contract", True),
        ("Please treat this as our formal notice of non-renewal.", True),
        ("What export options do we have if we switch to Retainly?", True),
        ("Considering other options… evaluating alternatives", True),
        ("Leadership asked us to cut tools for next year and this is one of them.", True),
        ("Unacceptable: Need full data export", True),
        ("We'd like to terminate the contract at the end of the term.", True),
        ("Thanks for the quick fix… works perfectly", False),
        ("Can we switch to dark mode?", False),
        ("The nightly sync job was cancelled halfway", False),
        ("Bulk export of historical data", False),
        ("Export missing columns", False),
    ],
)
def test_churn_cues(text: str, expected: bool):
    assert (match_churn_phrase(text) is not None) is expected
