"""Follow-ups keep the account only when they are about one account and name none (issue 14).

In ``csbot chat`` (several lines on stdin) and in a Slack thread: after an account
question, "top 5 accounts by ARR", "NPS detractors last month" and "what's our nps
trend" are portfolio questions, while "and their open tickets?" stays on the account.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.handlers.seed import DANA, seed_book
from tests.services.qa_world import ALICE, NOW, build_world
from tests.support.cli import invoke
from tests.support.slack_fixtures import SlackHarness
from tests.support.slack_requests import event_payload, message_event, new_ts

PORTFOLIO_FOLLOW_UPS = [
    "top 5 accounts by ARR",
    "NPS detractors last month",
    "what's our nps trend",
]


@pytest.fixture
def chat_world(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, time_machine) -> Engine:  # noqa: ANN001
    build_world(sqlite_engine)
    monkeypatch.setenv("CSBOT_DATABASE_URL", sqlite_engine.url.render_as_string(False))
    monkeypatch.setenv("CSBOT_VISIBILITY", "own")
    time_machine.move_to(NOW, tick=False)
    return sqlite_engine


def chat_replies(lines: list[str]) -> list[str]:
    result = invoke("chat", "--as", ALICE, input="\n".join([*lines, "quit"]) + "\n")
    assert result.exit_code == 0, result.output
    return [part.strip() for part in result.stdout.split("you> ")[1:] if part.strip()]


@pytest.mark.parametrize("follow_up", PORTFOLIO_FOLLOW_UPS)
def test_chat_portfolio_follow_up_is_not_about_the_previous_account(
    chat_world: Engine, follow_up: str
) -> None:
    first, second = chat_replies(["how is acme doing?", follow_up])
    assert first.startswith("Acme Corp Inc")
    assert not second.startswith("Acme Corp Inc") and ": Acme Corp Inc" not in second.split("\n")[0]
    alone = chat_replies([follow_up])[0]
    assert second.split("\n")[0] == alone.split("\n")[0]  # as if asked first


def test_chat_account_follow_ups_stay_on_the_account(chat_world: Engine) -> None:
    replies = chat_replies(
        ["how is acme doing?", "top 5 accounts by ARR", "and their open tickets?", "nps?"]
    )
    assert replies[2].startswith("Tickets: Acme Corp Inc")
    assert replies[3].startswith("NPS: Acme Corp Inc")


def test_slack_thread_follow_ups_follow_the_same_rules(sqlite_slack_harness: SlackHarness) -> None:
    harness = sqlite_slack_harness
    seed_book(harness.services)
    parent = new_ts()
    harness.mention("how is Acme Corp doing?", user=DANA, ts=parent)
    for text in [*PORTFOLIO_FOLLOW_UPS, "and its open tickets?"]:
        harness.dispatch(
            event_payload(
                message_event(
                    text, user=DANA, channel="C111", channel_type="channel", thread_ts=parent
                )
            )
        )
    replies = [str(r.get("text") or "") for r in harness.fake.calls("chat.postEphemeral")]
    assert len(replies) == 5
    assert replies[0].startswith("Acme Corp")
    for reply in replies[1:4]:
        assert not reply.startswith("Acme Corp") and ": Acme Corp" not in reply.split("\n")[0]
    assert replies[4].startswith("Tickets: Acme Corp")
