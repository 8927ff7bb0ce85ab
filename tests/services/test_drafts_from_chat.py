"""Drafts asked for in a DM run the drafting flow (not the overview card), via signed Slack events.

``csbot ask`` covers the terminal (tests/cli/test_ask_typed_queries.py); this is the same
pipeline reached through the real Slack app and the fake Web API. The draft is stored,
as ``/cs draft`` stores it, and the reply carries the draft, not the 360 card.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Account, Draft
from tests.handlers.seed import DANA, seed_book
from tests.support.blockcheck import assert_valid_message
from tests.support.slack_fixtures import SlackHarness


def _text(args: dict) -> str:
    return str(args.get("text") or "") + " ".join(
        str(b.get("text", {}).get("text", "")) for b in args.get("blocks") or []
    )


def test_a_renewal_email_asked_in_a_dm_is_drafted_and_stored(
    sqlite_slack_harness: SlackHarness,
) -> None:
    seed_book(sqlite_slack_harness.services)
    sqlite_slack_harness.dm("draft a renewal email to acme corp", user=DANA)

    [reply] = sqlite_slack_harness.fake.calls("chat.postMessage")
    assert_valid_message(reply)
    text = _text(reply)
    assert "renewal email" in text and "Subject:" in text
    assert "Drivers" not in text  # not the 360 card
    with Session(sqlite_slack_harness.services.engine) as session:
        acme = session.scalar(select(Account).where(Account.name == "Acme Corp"))
        assert acme is not None
        drafts = session.scalar(
            select(func.count()).select_from(Draft).where(Draft.account_id == acme.account_id)
        )
    assert drafts == 1


def test_a_qbr_summary_asked_in_a_dm_is_an_account_brief(
    sqlite_slack_harness: SlackHarness,
) -> None:
    seed_book(sqlite_slack_harness.services)
    sqlite_slack_harness.dm("summarize acme corp for my QBR", user=DANA)

    [reply] = sqlite_slack_harness.fake.calls("chat.postMessage")
    assert_valid_message(reply)
    assert "QBR brief" in _text(reply)
    with Session(sqlite_slack_harness.services.engine) as session:
        kinds = list(session.scalars(select(Draft.kind)))
    assert kinds == ["summary"]
