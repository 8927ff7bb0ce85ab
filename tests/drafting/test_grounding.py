"""The grounding check on its own: which claims it reads, and which the pack supports."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.db.queries.records import AccountRecord, ContactRecord
from bot.services.drafting.claims import extract_claims, mark_unsupported
from bot.services.drafting.fact_format import format_money
from bot.services.drafting.facts import Fact, FactsPack
from bot.services.drafting.grounding import GroundingIndex, check_grounding

ACCOUNT = AccountRecord(
    account_id="A1",
    name="Initech Systems",
    csm_id=None,
    csm_name=None,
    csm_slack_user_id=None,
    segment=None,
    industry=None,
    arr=None,
    currency="USD",
    licensed_seats=None,
    status="active",
    customer_since=None,
    domain="initech.com",
)
SARAH = ContactRecord(
    contact_id="C1",
    name="Sarah Lee",
    email="sarah@initech.com",
    title="CTO",
    is_champion=True,
    is_decision_maker=False,
    is_active=True,
    last_contacted_at=None,
)


def pack_with(*texts: str, quoted: str | None = None) -> FactsPack:
    facts = tuple(
        Fact(key=f"f{i}", category="account", text=text, source="test", as_of=None, priority=1)
        for i, text in enumerate(texts)
    )
    if quoted:
        facts += (Fact("q", "tickets", "Open ticket T-7.", "tickets", None, 2, quoted=quoted),)
    return FactsPack(
        account=ACCOUNT, today=date(2026, 5, 15), csm_name=None, facts=facts, contacts=(SARAH,)
    )


STATED = pack_with(
    "Contract ARR is $1,234,567.",
    "The current contract ends on June 30, 2026 (in 46 days).",
    "Active users down 41.7% vs the prior 30 days.",
    "Health score is 42/100 (red).",
    "Invoice INV-9 for $10,000 is overdue.",
)


def unsupported(text: str, pack: FactsPack = STATED) -> list[str]:
    report = check_grounding([("body", text)], GroundingIndex.from_pack(pack))
    return [claim.text for claim in report.unsupported]


@pytest.mark.parametrize(
    "text",
    [
        "Your ARR is $1,234,567.",
        "Your ARR is about $1.2M.",
        "Your ARR is $1,235K.",
        "The contract ends on June 30, 2026.",
        "The contract ends on June 30.",
        "The contract ends on 30 June 2026.",
        "The contract ends on 2026-06-30, in 46 days.",
        "That is roughly 7 weeks away.",
        "Usage is down 42% (41.7% to be exact).",
        "Health is 42/100.",
        "The contract ends on 6/30.",
        "Invoice INV-9 for $10k is overdue.",
        "Hi Sarah, Initech Systems has been a great partner. Dear Sarah Lee,",
        "Reach Sarah at sarah@initech.com or see https://initech.com/renewal for details.",
        "1. Review the account.\n2. Call at 10am or 14:30 on Tuesday.",
        "Looking Ahead\nNext Steps For Initech's Renewal In 2026",
    ],
)
def test_claims_that_match_the_pack_pass(text: str):
    assert unsupported(text) == []


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Your ARR is $1,500,000.", "$1,500,000"),
        ("Your ARR is $1.3M.", "$1.3M"),
        ("Usage is down 45%.", "45%"),
        ("The contract ends on July 1, 2026.", "July 1, 2026"),
        ("The contract ends on June 30, 2027.", "June 30, 2027"),
        ("We will meet in 2027.", "2027"),
        ("The contract ends on 7/1.", "7/1"),
        ("You have 3 open tickets.", "3"),
        ("Ticket T-999 is open.", "T-999"),
        ("Hi Sarah, John Smith from finance will call.", "John Smith"),
        ("Bob Marley will call.", "Bob Marley"),
        ("Write to billing@evil.example.com today.", "billing@evil.example.com"),
        ("Pay at www.evil-payments.com now.", "www.evil-payments.com"),
        ("Call +1 (212) 555-0199 now.", "+1 (212) 555-0199"),
    ],
)
def test_claims_the_pack_does_not_state_are_flagged(text: str, flagged: str):
    assert unsupported(text) == [flagged]


def test_customer_text_grounds_contact_details_but_not_figures():
    pack = pack_with(quoted="Call me on +44 20 7946 0958 about the 50% discount you promised.")

    assert unsupported("I will call you on +44 20 7946 0958.", pack) == []
    assert unsupported("Here is your 50% discount.", pack) == ["50%"]


def test_a_sentence_first_word_is_not_taken_for_a_name():
    assert unsupported("Additionally, Sarah asked for a call. Meanwhile nothing changed.") == []
    claims = extract_claims("Bob Smith will call.")
    assert [(c.kind, c.text, c.checked_text) for c in claims] == [("name", "Bob Smith", "Smith")]


def test_marking_wraps_each_unsupported_claim():
    text = "ARR is $9 and John Smith agreed on July 1, 2026."
    report = check_grounding([("body", text)], GroundingIndex.from_pack(STATED))

    assert mark_unsupported(text, report.unsupported) == (
        "ARR is [unverified: $9] and [unverified: John Smith] agreed on [unverified: July 1, 2026]."
    )
    assert not report.verified and report.checked == 3


@given(
    amount=st.decimals(min_value=1, max_value=10**9, places=0, allow_nan=False),
    delta=st.integers(min_value=2, max_value=10**6),
)
def test_any_stated_amount_passes_in_every_written_form_and_others_fail(
    amount: Decimal, delta: int
):
    pack = pack_with(f"Contract ARR is {format_money(amount)}.")
    thousands = (amount / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP)  # $80.5k → $81k

    assert unsupported(f"ARR is {format_money(amount)}.", pack) == []
    if thousands > 0:
        assert unsupported(f"ARR is ${thousands}k.", pack) == []
    other = amount + delta * 1000
    assert unsupported(f"ARR is {format_money(other)}.", pack) == [format_money(other)]
