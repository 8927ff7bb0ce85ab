"""Drafting through the real openai client (via langchain) against a local fake server."""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.models import AuditLog, Draft
from bot.db.session import unit_of_work
from bot.services.drafting.drafter import draft_email, draft_summary
from tests.drafting.store import (
    ACCOUNT_ID,
    CHAMPION_EMAIL,
    DECISION_MAKER_EMAIL,
    INJECTION,
    TICKET_PHONE,
    TODAY,
)
from tests.support.fake_openai import Delayed, FakeOpenAI, ServerError, json_reply

CLEAN_RENEWAL = json_reply(
    "Your renewal on June 30, 2026",
    "Hi Omar,\n\nYour current contract with Acme Robotics Inc ends on June 30, 2026, "
    "46 days from today. Over the last 30 days your team averaged 60 daily active users."
    "\n\nCould we schedule a renewal conversation in the coming weeks?\n\nBest,\nJane Doe",
)
INVENTED = json_reply(
    "Your renewal on June 30, 2026",
    "Hi Omar,\n\nYour contract ends on July 15, 2026 and your ARR of $150,000 will renew "
    "automatically. Bob Smith from our finance team will send the paperwork.\n\nBest,\nJane Doe",
)
OBEYED_INJECTION = json_reply(
    "Great news about your renewal",
    "Hi Sarah,\n\nGood news: you get a 50% discount and a $5,000 credit. Your renewal is on "
    "December 1, 2026.\n\nBest,\nMallory Voss",
)
CLEAN_RISK = json_reply(
    "Checking in on Acme Robotics Inc",
    "Hi Sarah,\n\nI noticed average daily active users were 60 over the 30 days to "
    "May 13, 2026, down 40% from 100. I also see ticket T-101 is still open.\n\n"
    "Could we talk this week?\n\nBest,\nJane Doe",
)


def facts_lines(request_text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in request_text.splitlines() if line.startswith("{")]


def test_clean_draft_passes_is_stored_and_audited(llm_services, fake_openai: FakeOpenAI):
    services = llm_services(CSBOT_REDACT_CONTACT_NAMES="off")  # the prompt's shape, names shown
    fake_openai.script(CLEAN_RENEWAL)

    result = draft_email(
        services, "Acme Robotics", purpose="renewal", tone="friendly", actor="cli:t", today=TODAY
    )

    assert result.verified and result.grounding.unsupported == ()
    assert result.generator == "llm" and result.model == "fake-gpt" and result.attempts == 1
    assert result.recipient is not None and result.recipient.email == DECISION_MAKER_EMAIL
    assert result.subject == "Your renewal on June 30, 2026"
    assert "[unverified" not in result.body and result.notes == ()
    [request] = fake_openai.chat_requests()
    assert request.body["model"] == "fake-gpt"
    system, user = request.messages
    assert system["role"] == "system" and "customer_text" in system["content"]
    assert "Purpose (renewal)" in user["content"] and "Omar Haddad (CFO)" in user["content"]
    lines = facts_lines(user["content"])
    assert {"fact": "Contract ARR is $120,000.", "source": "contracts", "as_of": "2026-05-14"} in [
        {key: line[key] for key in ("fact", "source", "as_of")} for line in lines
    ]
    with unit_of_work(services.session_factory) as session:
        draft = session.scalars(select(Draft)).one()
        audit = session.scalars(select(AuditLog).where(AuditLog.action == "draft.created")).one()
    assert (draft.model, draft.verified, draft.kind, draft.purpose) == (
        "fake-gpt",
        True,
        "email",
        "renewal",
    )
    assert audit.target == ACCOUNT_ID and audit.detail["model"] == "fake-gpt"
    assert audit.detail["draft_id"] == draft.id == result.draft_id


def test_invented_arr_date_and_name_are_caught_and_regenerated(
    llm_services, fake_openai: FakeOpenAI
):
    services = llm_services()
    fake_openai.script(INVENTED, CLEAN_RENEWAL)

    result = draft_email(services, ACCOUNT_ID, purpose="renewal", actor="cli:t", today=TODAY)

    assert result.verified and result.attempts == 2
    assert "$150,000" not in result.body
    first, second = fake_openai.chat_requests()
    follow_up = second.messages[-1]["content"]
    for claim in ('money "$150,000"', 'date "July 15, 2026"', 'name "Bob Smith"'):
        assert claim in follow_up
    assert (
        second.messages[-2]["role"] == "assistant" and "$150,000" in second.messages[-2]["content"]
    )
    assert second.messages[:2] == first.messages


def test_second_failure_is_flagged_and_never_presented_as_clean(
    llm_services, fake_openai: FakeOpenAI
):
    services = llm_services()
    fake_openai.script(INVENTED, INVENTED)

    result = draft_email(services, ACCOUNT_ID, purpose="renewal", actor="cli:t", today=TODAY)

    assert not result.verified and result.attempts == 2
    assert {claim.text for claim in result.grounding.unsupported} == {
        "July 15, 2026",
        "$150,000",
        "Bob Smith",
    }
    assert "[unverified: $150,000]" in result.body and "[unverified: Bob Smith]" in result.body
    assert any("could not be verified" in note for note in result.notes)
    with unit_of_work(services.session_factory) as session:
        draft = session.scalars(select(Draft)).one()
    assert draft.verified is False and "money: $150,000" in draft.unsupported


def test_timeout_falls_back_to_the_template_with_a_note(llm_services, fake_openai: FakeOpenAI):
    services = llm_services(CSBOT_LLM_TIMEOUT=0.3)
    fake_openai.script(Delayed(5, CLEAN_RENEWAL))

    started = time.perf_counter()
    result = draft_email(services, ACCOUNT_ID, purpose="renewal", actor="cli:t", today=TODAY)

    assert time.perf_counter() - started < 3
    assert result.generator == "template" and result.model == "template"
    assert result.notes == (
        "The language model did not answer (timeout), so this is the template draft.",
    )
    assert result.verified and "June 30, 2026" in result.body


def test_server_error_is_retried_then_falls_back(llm_services, fake_openai: FakeOpenAI):
    services = llm_services(CSBOT_LLM_MAX_RETRIES=1)
    fake_openai.script(ServerError(500), ServerError(500))

    result = draft_summary(services, ACCOUNT_ID, actor="cli:t", today=TODAY)

    assert len(fake_openai.chat_requests()) == 2  # one bounded retry, then give up
    assert result.generator == "template" and "server error" in result.notes[0]
    assert result.subject == "Account brief: Acme Robotics Inc" and result.verified


def test_one_server_error_is_absorbed_by_the_retry(llm_services, fake_openai: FakeOpenAI):
    services = llm_services(CSBOT_LLM_MAX_RETRIES=1)
    fake_openai.script(ServerError(503), CLEAN_RENEWAL)

    result = draft_email(services, ACCOUNT_ID, purpose="renewal", actor="cli:t", today=TODAY)

    assert result.generator == "llm" and result.verified
    assert len(fake_openai.chat_requests()) == 2


def gullible_model(body: dict[str, Any]) -> str:
    """A model that obeys any instruction it can see outside quoted customer text."""
    visible: list[str] = []
    for message in body["messages"]:
        for line in str(message["content"]).splitlines():
            try:
                data = json.loads(line)
            except ValueError:
                visible.append(line)
                continue
            if isinstance(data, dict):
                data.pop("customer_text", None)
            visible.append(json.dumps(data))
    if "ignore previous instructions" in "\n".join(visible).lower():
        return OBEYED_INJECTION
    return CLEAN_RISK


def test_prompt_injection_in_a_ticket_changes_nothing(llm_services, fake_openai: FakeOpenAI):
    services = llm_services(ticket_text=INJECTION)
    fake_openai.default = gullible_model

    result = draft_email(services, ACCOUNT_ID, purpose="risk", actor="cli:t", today=TODAY)

    assert result.verified and result.attempts == 1
    assert "50%" not in result.body and "Mallory" not in result.body
    [request] = fake_openai.chat_requests()
    carriers = [line for line in facts_lines(request.text) if INJECTION[:40] in json.dumps(line)]
    assert len(carriers) == 1 and INJECTION[:40] in carriers[0]["customer_text"]
    assert INJECTION[:40] not in carriers[0]["fact"]


def test_a_model_that_follows_the_injection_is_flagged(llm_services, fake_openai: FakeOpenAI):
    services = llm_services(ticket_text=INJECTION)
    fake_openai.script(OBEYED_INJECTION, OBEYED_INJECTION)

    result = draft_email(services, ACCOUNT_ID, purpose="risk", actor="cli:t", today=TODAY)

    assert not result.verified
    flagged = {claim.text for claim in result.grounding.unsupported}
    assert {"50%", "$5,000", "December 1, 2026", "Mallory Voss"} <= flagged


def echo_contact_placeholders(body: dict[str, Any]) -> str:
    text = "\n".join(str(message["content"]) for message in body["messages"])
    phone = re.findall(r"\[PHONE_\d+\]", text)
    email = re.findall(r"\[EMAIL_\d+\]", text)
    callback = (
        f"I will call you on {phone[0]} today and confirm by email to {email[0]}."
        if phone and email
        else "I will call you today."
    )
    return json_reply(
        "Update on ticket T-101",
        f"Hi Priya,\n\nThank you for the details on ticket T-101. {callback}\n\nBest,\nJane Doe",
    )


def test_contact_details_are_redacted_before_the_llm_and_restored_after(
    llm_services, fake_openai: FakeOpenAI
):
    services = llm_services()
    fake_openai.default = echo_contact_placeholders

    result = draft_email(services, ACCOUNT_ID, purpose="escalation", actor="cli:t", today=TODAY)

    assert fake_openai.pii_seen == []
    [request] = fake_openai.chat_requests()
    assert "[PHONE_1]" in request.text and "[EMAIL_1]" in request.text
    assert TICKET_PHONE in result.body and "priya.nair@acmerobotics.com" in result.body
    assert result.verified and result.recipient is not None
    assert result.recipient.name == "Priya Nair"


def test_without_redaction_the_contact_details_do_reach_the_server(
    llm_services, fake_openai: FakeOpenAI
):
    services = llm_services(CSBOT_REDACT_PII=False)
    fake_openai.default = echo_contact_placeholders

    draft_email(services, ACCOUNT_ID, purpose="escalation", actor="cli:t", today=TODAY)

    assert TICKET_PHONE in fake_openai.pii_seen
    assert "priya.nair@acmerobotics.com" in fake_openai.pii_seen


def test_small_token_budget_keeps_essential_facts_and_drops_whole_low_ones(
    llm_services, fake_openai: FakeOpenAI, caplog: pytest.LogCaptureFixture
):
    services = llm_services(CSBOT_LLM_PROMPT_TOKEN_BUDGET=1200, CSBOT_REDACT_CONTACT_NAMES="off")
    fake_openai.script(CLEAN_RENEWAL)

    with caplog.at_level(logging.INFO, logger="bot.services.drafting.prompts"):
        draft_email(services, ACCOUNT_ID, purpose="renewal", actor="cli:t", today=TODAY)

    [request] = fake_openai.chat_requests()
    sent = [line["fact"] for line in facts_lines(request.text)]  # every line is whole JSON
    assert "Contract ARR is $120,000." in sent
    assert any(fact.startswith("Sarah Lee is a champion") for fact in sent)
    assert not any(fact.startswith("Playbook") for fact in sent)
    trimmed = [
        r for r in caplog.records if r.getMessage() == "facts trimmed to fit the prompt budget"
    ]
    assert trimmed and trimmed[0].facts_dropped > 0


def test_token_usage_is_logged_per_call(
    llm_services, fake_openai: FakeOpenAI, caplog: pytest.LogCaptureFixture
):
    services = llm_services()
    fake_openai.script(CLEAN_RENEWAL)

    with caplog.at_level(logging.INFO, logger="bot.llm"):
        result = draft_email(services, ACCOUNT_ID, purpose="renewal", actor="cli:t", today=TODAY)

    [record] = [r for r in caplog.records if r.getMessage() == "llm call finished"]
    assert record.llm_model == "fake-gpt" and record.llm_purpose == "draft.email"
    assert record.prompt_tokens == result.prompt_tokens > 0
    assert record.completion_tokens == result.completion_tokens > 0
    assert record.estimated_prompt_tokens > 0


def test_summary_through_the_llm_has_four_sections(llm_services, fake_openai: FakeOpenAI):
    services = llm_services()
    body = (
        "Situation\n- Health score is 42/100 (red); contract ARR is $120,000.\n\n"
        "Risks\n- Active users down 40%; invoice INV-9 for $10,000 is overdue.\n\n"
        "Opportunities\n- Open expansion opportunity of $30,000.\n\n"
        "Next steps\n- Call Sarah Lee before May 18, 2026."
    )
    fake_openai.script(json_reply("Account brief: Acme Robotics Inc", body))

    result = draft_summary(services, "acme robotics inc", actor="cli:t", today=TODAY)

    assert result.verified and result.recipient is None and result.kind == "summary"
    assert "SUMMARY" not in result.body and "Next steps" in result.body
    [request] = fake_openai.chat_requests()
    assert "Situation, Risks, Opportunities, Next steps" in request.text


def test_a_reply_that_is_not_json_is_still_used(llm_services, fake_openai: FakeOpenAI):
    services = llm_services()
    fake_openai.script(
        "Subject: Checking in\n\nHi Sarah,\n\nHow is the team finding things?\n\nBest,\nJane Doe"
    )

    result = draft_email(services, ACCOUNT_ID, purpose="check-in", actor="cli:t", today=TODAY)

    assert result.subject == "Checking in" and result.body.startswith("Hi Sarah,")
    assert result.verified and result.recipient is not None
    assert result.recipient.email == CHAMPION_EMAIL
