"""The LLM router: phrasings the rules miss, through the real openai client (langchain's
ChatOpenAI with bound tools) against the local fake OpenAI server. The model only chooses
a typed question; names, permissions and figures still come from csbot and the store."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Account, AuditLog
from bot.services import Services
from bot.services.answers.pipeline import Question, answer_question
from bot.slack import formatting as fmt
from tests.conftest import make_settings
from tests.services.qa_world import ALICE, NOW
from tests.support.blockcheck import assert_valid_blocks
from tests.support.fake_openai import FakeOpenAI, ServerError, ToolCall

UNMATCHED = "gimme the lowdown on the bottom line at acme"


@pytest.fixture
def llm(qa_services_sqlite: Services) -> Iterator[tuple[Services, FakeOpenAI]]:
    with FakeOpenAI() as server:
        settings = make_settings(
            qa_services_sqlite.settings.data_dir,
            qa_services_sqlite.engine.url.render_as_string(hide_password=False),
            CSBOT_VISIBILITY="own",
            OPENAI_BASE_URL=server.base_url,
            OPENAI_API_KEY="sk-test",
            CSBOT_LLM_MAX_RETRIES=0,
            CSBOT_LLM_TIMEOUT=5,
        )
        yield (
            Services(
                settings=settings,
                engine=qa_services_sqlite.engine,
                session_factory=qa_services_sqlite.session_factory,
            ),
            server,
        )


def ask(services: Services, text: str):  # noqa: ANN201
    return answer_question(services, Question(text=text, slack_user_id=ALICE, now=NOW))


def test_router_picks_a_typed_account_question(llm: tuple[Services, FakeOpenAI]) -> None:
    services, server = llm
    server.script(ToolCall("AccountQuestion", {"topic": "arr", "account_name": "acme"}))

    answer = ask(services, UNMATCHED)

    assert (answer.intent, answer.account_id) == ("arr", "acc_acme")
    with Session(services.engine) as session:
        acme = session.get(Account, "acc_acme")
        audit = session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert f"ARR is {fmt.money(acme.arr)}" in answer.text
    assert audit.detail["understood_by"] == "llm"
    request = server.chat_requests()[0]  # then the reply request (it fails here: no script)
    assert {tool["function"]["name"] for tool in request.body["tools"]} == {
        "AccountQuestion",
        "PortfolioQuestion",
    }
    assert UNMATCHED in request.text


def test_router_picks_a_portfolio_question_with_a_horizon(
    llm: tuple[Services, FakeOpenAI],
) -> None:
    services, server = llm
    server.script(ToolCall("PortfolioQuestion", {"topic": "renewals", "days": 120}))

    answer = ask(services, "what's coming up for signature in the next four months-ish")

    assert answer.intent == "renewals"
    assert "Renewals: the next 120 days" in answer.text
    assert "Acme Corp Inc" in answer.text and "Initech Systems" in answer.text


def test_routed_names_still_obey_permissions(llm: tuple[Services, FakeOpenAI]) -> None:
    services, server = llm
    server.script(ToolCall("AccountQuestion", {"topic": "overview", "account_name": "Hooli"}))
    answer = ask(services, "gimme the lowdown on hooli pls")
    assert answer.intent == "not_found" and "Hooli" not in answer.text


def test_rule_matched_questions_never_reach_the_llm(llm: tuple[Services, FakeOpenAI]) -> None:
    services, server = llm
    answer = ask(services, "when does acme renew?")
    assert answer.intent == "renewal_date"
    assert server.chat_requests() == []


@pytest.mark.parametrize(
    "reply",
    [
        ServerError(500),
        "none",  # no tool call: not a question about accounts
        ToolCall("AccountQuestion", {"topic": "drop tables", "account_name": "acme"}),
        ToolCall("DeleteEverything", {}),
    ],
    ids=["server-error", "no-tool", "invalid-arguments", "unknown-tool"],
)
def test_router_failures_fall_back_to_the_rules(
    llm: tuple[Services, FakeOpenAI], reply: object
) -> None:
    services, server = llm
    server.script(reply)  # type: ignore[arg-type]
    answer = ask(services, "what's the weather like in paris")
    assert answer.intent == "unmapped"  # "I can't answer that yet" + the closest three


def test_contact_details_are_redacted_before_routing(llm: tuple[Services, FakeOpenAI]) -> None:
    services, server = llm
    server.script("none")
    ask(services, "gimme the lowdown on jane@acme.example or +1 415 555 0100")
    assert server.pii_seen == []
    assert "[EMAIL_1]" in server.chat_requests()[0].text
    assert json.dumps(server.chat_requests()[0].body).count("jane@acme.example") == 0


# ----------------------------------------------------------------------------- grounded replies
def _tool_results(body: dict) -> list[str]:
    return [str(m.get("content")) for m in body.get("messages", []) if m.get("role") == "tool"]


def test_the_reply_is_written_from_tool_results_and_invented_figures_are_marked(
    llm: tuple[Services, FakeOpenAI],
) -> None:
    services, server = llm
    with Session(services.engine) as session:
        arr = fmt.money(session.get(Account, "acc_acme").arr)

    def model(body: dict) -> str:
        [result] = _tool_results(body)
        assert f"ARR is {arr}" in result  # the typed answer, as the store has it
        return f"Acme's ARR is {arr}, and it grew 17% last quarter to $999,999."

    server.script(ToolCall("AccountQuestion", {"topic": "arr", "account_name": "acme"}), model)

    answer = ask(services, UNMATCHED)

    assert (answer.intent, answer.account_id) == ("arr", "acc_acme")
    assert f"ARR is {arr}," in answer.text  # a figure from the store stays as written
    assert "[unverified: 17%]" in answer.text and "[unverified: $999,999]" in answer.text
    assert "2 figure(s) in this reply could not be found" in answer.text
    assert "Data as of" in answer.text
    assert_valid_blocks(answer.blocks)
    assert len(server.chat_requests()) == 2


def test_the_viewers_scope_applies_inside_every_tool(llm: tuple[Services, FakeOpenAI]) -> None:
    services, server = llm
    seen: list[str] = []

    def model(body: dict) -> str:
        seen.extend(_tool_results(body))
        return "Here is the total."

    server.script(ToolCall("PortfolioQuestion", {"topic": "arr", "scope": "all"}), model)

    answer = ask(services, "what's the whole company's bottom line, everyone included")

    [result] = seen
    assert "Hooli" not in result and "€300,000" not in result  # Carol's account: hidden
    assert "your accounts" in result
    assert answer.text.startswith("Here is the total.")


def test_when_the_reply_fails_the_typed_answer_is_shown(llm: tuple[Services, FakeOpenAI]) -> None:
    services, server = llm
    server.script(
        ToolCall("AccountQuestion", {"topic": "renewal_date", "account_name": "acme"}),
        ServerError(500),
    )
    answer = ask(services, "is acme going to sign again and when-ish")
    assert answer.intent == "renewal_date" and answer.account_id == "acc_acme"
    assert "LLM" not in answer.text  # the plain typed answer, nothing written by the model


def test_tool_results_leave_without_contact_details_and_the_reply_gets_them_back(
    llm: tuple[Services, FakeOpenAI],
) -> None:
    services, server = llm

    def model(body: dict) -> str:
        [result] = _tool_results(body)
        token = next(word for word in result.split() if word.startswith("[EMAIL_"))
        return f"Write to {token.rstrip('.,)')} about it."

    server.script(ToolCall("AccountQuestion", {"topic": "contacts", "account_name": "acme"}), model)

    answer = ask(services, "gimme the folks to ping over at acme")

    assert server.pii_seen == []
    assert "Write to jane@acme.example about it." in answer.text
