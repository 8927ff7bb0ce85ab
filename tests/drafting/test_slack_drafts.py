"""Drafting in Slack through the real app, signed requests and the fake Slack Web API."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from sqlalchemy import Engine, select

from bot.app import create_app
from bot.db.models import AuditLog, Csm, Cta
from bot.db.session import unit_of_work
from bot.slack.blocks.draft import (
    BODY_ACTION,
    BODY_BLOCK,
    SUBJECT_ACTION,
    SUBJECT_BLOCK,
    TONE_ACTION,
    TONE_BLOCK,
)
from bot.slack.ids import ActionId, CallbackId, Command
from tests.drafting.store import ACCOUNT_ID, seed_rich_account
from tests.support.blockcheck import assert_valid_message, assert_valid_view
from tests.support.fake_openai import Delayed, FakeOpenAI, json_reply
from tests.support.fake_slack import FakeSlackApi
from tests.support.slack_fixtures import (
    SlackHarness,
    build_harness,
    slack_services_for,
)
from tests.support.slack_requests import (
    interactive_payload,
    signed_request,
    slash_command,
    template,
    view_submission,
)

JANE = "U_JANE"  # the account's CSM in the seeded store


@pytest.fixture(autouse=True)
def seeded_day() -> Iterator[None]:
    """Slack requests carry no date: let "today" be the seeded store's day."""
    with time_machine.travel(datetime(2026, 5, 15, 9, 0, tzinfo=UTC), tick=True):
        yield


@pytest.fixture
def harness(fake_slack: FakeSlackApi, tmp_path: Path, sqlite_engine: Engine) -> SlackHarness:
    built = build_harness(fake_slack, tmp_path, sqlite_engine)
    seed_rich_account(built.services)
    return built


def last_view(fake: FakeSlackApi) -> dict[str, Any]:
    [*_, update] = fake.calls("views.update")
    view = update["view"]
    assert_valid_view(view)
    return view


def view_text(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def input_value(view: dict[str, Any], block_id: str) -> str:
    block = next(block for block in view["blocks"] if block.get("block_id") == block_id)
    element = block["element"]
    return element.get("initial_value") or element["initial_option"]["value"]


def view_state(view: dict[str, Any], **overrides: str) -> dict[str, dict[str, dict[str, Any]]]:
    """The ``state.values`` Slack would send for the modal as shown (with edits)."""
    subject = overrides.get("subject", input_value(view, SUBJECT_BLOCK))
    state: dict[str, dict[str, dict[str, Any]]] = {
        SUBJECT_BLOCK: {SUBJECT_ACTION: {"type": "plain_text_input", "value": subject}}
    }
    if any(block.get("block_id") == BODY_BLOCK for block in view["blocks"]):
        body = overrides.get("body", input_value(view, BODY_BLOCK))
        state[BODY_BLOCK] = {BODY_ACTION: {"type": "plain_text_input", "value": body}}
    if any(block.get("block_id") == TONE_BLOCK for block in view["blocks"]):
        tone = overrides.get("tone", input_value(view, TONE_BLOCK))
        state[TONE_BLOCK] = {
            TONE_ACTION: {"type": "static_select", "selected_option": {"value": tone}}
        }
    return state


def click_in_view(harness: SlackHarness, view_id: str, action_id: str, **state: str) -> None:
    """A button click inside a modal (``container.type == "view"``)."""
    stored = harness.fake.views[view_id]
    body = template("block_actions.json")
    body["user"].update(id=JANE, username="jane", name="jane")
    body["team"] = {"id": "T111", "domain": "fake-workspace"}
    body["container"] = {"type": "view", "view_id": view_id}
    for key in ("message", "channel", "response_url"):
        body.pop(key, None)
    body["view"] = {**stored, "state": {"values": view_state(stored, **state)}}
    action = body["actions"][0]
    action.update(action_id=action_id, block_id="draft_actions", value=ACCOUNT_ID)
    response = harness.app.dispatch(signed_request(interactive_payload(body)))
    assert response.status == 200


def test_cs_draft_opens_a_drafting_modal_then_shows_the_checked_draft(harness: SlackHarness):
    response, _ = harness.command(Command.CS, "draft Acme Robotics renewal", user=JANE)

    assert response.status == 200
    [opened] = harness.fake.calls("views.open")
    assert_valid_view(opened["view"])
    assert "Drafting for *Acme Robotics*" in view_text(opened["view"])
    view = last_view(harness.fake)
    assert view["callback_id"] == CallbackId.DRAFT_MODAL
    assert view["submit"]["text"] == "Send me a copy"
    assert input_value(view, SUBJECT_BLOCK) == "Your Acme Robotics Inc renewal on June 30, 2026"
    assert input_value(view, BODY_BLOCK).startswith("Hi Omar,")
    assert input_value(view, TONE_BLOCK) == "friendly"
    text = view_text(view)
    assert "All " in text and "figures, dates and names match the store" in text
    assert "Template draft: no language model is configured." in text
    assert ActionId.DRAFT_REGENERATE in text


def test_regenerate_uses_the_tone_chosen_in_the_modal(harness: SlackHarness):
    harness.command(Command.CS, "draft Acme Robotics renewal", user=JANE)
    [view_id] = list(harness.fake.views)

    click_in_view(harness, view_id, ActionId.DRAFT_REGENERATE, tone="formal")

    *_, loading, regenerated = harness.fake.calls("views.update")
    assert "Drafting for *Acme Robotics Inc*" in view_text(loading["view"])
    assert loading["view_id"] == regenerated["view_id"] == view_id
    view = last_view(harness.fake)
    assert input_value(view, BODY_BLOCK).startswith("Dear Omar Haddad,")
    assert input_value(view, TONE_BLOCK) == "formal"


def test_send_me_a_copy_dms_the_edited_draft_rechecked(harness: SlackHarness):
    harness.command(Command.CS, "draft Acme Robotics renewal", user=JANE)
    shown = last_view(harness.fake)
    edited = input_value(shown, BODY_BLOCK) + "\n\nPS: we can offer $999,999 off."

    response = harness.dispatch(
        view_submission(
            CallbackId.DRAFT_MODAL,
            view_state(shown, body=edited),
            user_id=JANE,
            private_metadata=shown["private_metadata"],
        )
    )

    assert response.status == 200
    [dm] = harness.fake.calls("chat.postMessage")
    assert dm["channel"] == JANE
    assert_valid_message(dm)
    text = json.dumps(dm["blocks"], ensure_ascii=False)
    assert "Not verified" in text and "$999,999" in text
    assert "NOT VERIFIED" in dm["text"]
    with unit_of_work(harness.services.session_factory) as session:
        copied = session.scalars(select(AuditLog).where(AuditLog.action == "draft.copied")).one()
    assert copied.actor == f"slack:{JANE}" and copied.detail["verified"] is False


def test_cta_alert_button_drafts_for_the_ctas_purpose(harness: SlackHarness):
    with unit_of_work(harness.services.session_factory) as session:
        cta_id = session.scalars(select(Cta.id)).one()

    harness.click(ActionId.DRAFT_EMAIL, str(cta_id), user_id=JANE, block_id=f"cta:{cta_id}")

    view = last_view(harness.fake)
    assert "Email to Sarah Lee" in view_text(view) and "risk" in view_text(view)
    assert input_value(view, BODY_BLOCK).startswith("Hi Sarah,")


def test_summarize_button_shows_the_account_brief(harness: SlackHarness):
    harness.click(ActionId.DRAFT_SUMMARY, ACCOUNT_ID, user_id=JANE, block_id="draft_buttons")

    view = last_view(harness.fake)
    assert view["title"]["text"] == "Account summary"
    assert "Account brief for Acme Robotics Inc" in view_text(view)
    assert not any(block.get("block_id") == TONE_BLOCK for block in view["blocks"])
    assert "Situation" in view_text(view) and "Next steps" in view_text(view)


def test_people_csbot_does_not_know_or_other_books_are_refused_in_the_modal(
    fake_slack: FakeSlackApi, tmp_path: Path, sqlite_engine: Engine
):
    harness = build_harness(fake_slack, tmp_path, sqlite_engine, CSBOT_VISIBILITY="own")
    seed_rich_account(harness.services)
    with unit_of_work(harness.services.session_factory) as session:
        session.add(Csm(csm_id="csm-2", name="Ben Other", slack_user_id="U_BEN"))

    harness.command(Command.CS, "draft Acme Robotics", user="U_STRANGER")
    assert "I don't know you yet" in view_text(last_view(fake_slack))
    harness.command(Command.CS, "draft Acme Robotics", user="U_BEN")
    assert "No account named" in view_text(last_view(fake_slack))


def test_cs_draft_without_an_account_explains_the_usage(harness: SlackHarness):
    harness.command(Command.CS, "draft", user=JANE)

    [reply] = harness.fake.calls("response_url")
    assert "Which account?" in reply["text"] and "/cs draft ACCOUNT [purpose]" in reply["text"]
    assert harness.fake.calls("views.open") == []


def test_other_cs_questions_still_reach_the_assistant(harness: SlackHarness):
    harness.command(Command.CS, "help", user=JANE)

    assert harness.fake.calls("views.open") == []
    assert harness.fake.calls("response_url") or harness.fake.calls("chat.postEphemeral")


def test_an_unverified_llm_draft_is_flagged_in_the_modal(
    fake_slack: FakeSlackApi, fake_openai: FakeOpenAI, tmp_path: Path, sqlite_engine: Engine
):
    harness = build_harness(
        fake_slack,
        tmp_path,
        sqlite_engine,
        OPENAI_BASE_URL=fake_openai.base_url,
        CSBOT_LLM_MODEL="fake-gpt",
        CSBOT_LLM_MAX_RETRIES=0,
    )
    seed_rich_account(harness.services)
    invented = json_reply("Renewal", "Hi Omar,\n\nYour ARR of $150,000 renews.\n\nBest,\nJane Doe")
    fake_openai.script(invented, invented)

    harness.command(Command.CS, "draft Acme Robotics renewal", user=JANE)

    view = last_view(fake_slack)
    text = view_text(view)
    assert "Not verified." in text and "$150,000" in text and "Check them before sending" in text
    assert "[unverified: $150,000]" in input_value(view, BODY_BLOCK)
    assert "Drafted by fake-gpt" in text


def test_the_command_is_acked_before_the_slow_draft_arrives(
    fake_slack: FakeSlackApi, fake_openai: FakeOpenAI, tmp_path: Path, sqlite_engine: Engine
):
    services = slack_services_for(
        fake_slack,
        tmp_path,
        sqlite_engine,
        OPENAI_BASE_URL=fake_openai.base_url,
        CSBOT_LLM_MODEL="fake-gpt",
        CSBOT_LLM_TIMEOUT=10,
    )
    seed_rich_account(services)
    app = create_app(services.settings, services)  # process_before_response=False, as served
    clean = json_reply("Checking in", "Hi Sarah,\n\nHow are things?\n\nBest,\nJane Doe")
    fake_openai.script(Delayed(1.5, clean))

    started = time.monotonic()
    ack = app.dispatch(
        signed_request(
            slash_command(
                "/cs",
                "draft Acme Robotics",
                user_id=JANE,
                response_url=fake_slack.response_url(),
                trigger_id=fake_slack.issue_trigger_id(),
            )
        )
    )
    acked_after = time.monotonic() - started

    assert ack.status == 200 and acked_after < 1.0
    [opened] = fake_slack.wait_for("views.open", timeout=5)
    assert "Drafting for" in view_text(opened["view"])
    [update] = fake_slack.wait_for("views.update", timeout=10)
    assert input_value(update["view"], SUBJECT_BLOCK) == "Checking in"
    assert time.monotonic() - started >= 1.5


def test_account_answers_carry_draft_buttons_that_open_the_modal(harness: SlackHarness):
    harness.dm("How is Acme Robotics Inc doing?", user=JANE)

    [answer] = harness.fake.calls("chat.postMessage")
    buttons = {
        element["action_id"]: element["value"]
        for block in answer["blocks"]
        if block.get("block_id") == "draft_buttons"
        for element in block["elements"]
    }
    assert buttons[ActionId.DRAFT_SUMMARY] == ACCOUNT_ID
    harness.click(ActionId.DRAFT_EMAIL, buttons[ActionId.DRAFT_EMAIL], user_id=JANE)

    view = last_view(harness.fake)
    assert input_value(view, BODY_BLOCK).startswith("Hi Sarah,")  # check-in → champion


CONTACT_NAMES = ("Omar Haddad", "Sarah Lee", "Priya Nair")


def _greet_the_cfo(body: dict[str, Any]) -> str:
    """A model that greets whoever the prompt calls the CFO (a name or a placeholder)."""
    prompt = "\n".join(str(message["content"]) for message in body["messages"])
    found = re.search(r"email from the CSM Jane Doe to (.+?) \(CFO\)", prompt)
    who = found.group(1) if found else "there"
    return json_reply(
        "Your renewal on June 30, 2026",
        f"Hi {who},\n\nYour current contract with Acme Robotics Inc ends on June 30, 2026."
        "\n\nCould we schedule a renewal conversation?\n\nBest,\nJane Doe",
    )


def _llm_harness(fake_slack, fake_openai, tmp_path, sqlite_engine, **env) -> SlackHarness:
    harness = build_harness(
        fake_slack,
        tmp_path,
        sqlite_engine,
        OPENAI_BASE_URL=fake_openai.base_url,
        CSBOT_LLM_MODEL="fake-gpt",
        CSBOT_LLM_MAX_RETRIES=0,
        **env,
    )
    seed_rich_account(harness.services)
    with unit_of_work(harness.services.session_factory) as session:
        session.add(Csm(csm_id="csm-2", name="Bob Stone", slack_user_id="U_BOB", role="csm"))
    fake_openai.default = _greet_the_cfo
    return harness


def _prompt_text(fake_openai: FakeOpenAI) -> str:
    [request] = fake_openai.chat_requests()
    return request.text


def test_contact_names_are_redacted_before_the_llm_and_restored_in_the_draft(
    fake_slack: FakeSlackApi, fake_openai: FakeOpenAI, tmp_path: Path, sqlite_engine: Engine
):
    harness = _llm_harness(fake_slack, fake_openai, tmp_path, sqlite_engine)  # default: all

    harness.command(Command.CS, "draft Acme Robotics renewal", user=JANE)

    sent = _prompt_text(fake_openai)
    assert not [name for name in CONTACT_NAMES if name in sent]
    assert not [name for name in ("Omar", "Sarah", "Priya") if name in sent]
    assert "[NAME_" in sent and "Acme Robotics Inc" in sent  # only people are hidden
    body = input_value(last_view(fake_slack), BODY_BLOCK)
    assert body.startswith("Hi Omar Haddad,") and "[NAME_" not in body


def test_except_own_keeps_the_names_of_the_askers_own_contacts(
    fake_slack: FakeSlackApi, fake_openai: FakeOpenAI, tmp_path: Path, sqlite_engine: Engine
):
    harness = _llm_harness(
        fake_slack, fake_openai, tmp_path, sqlite_engine, CSBOT_REDACT_CONTACT_NAMES="except-own"
    )

    harness.command(Command.CS, "draft Acme Robotics renewal", user=JANE)  # Jane's account

    assert "Omar Haddad (CFO)" in _prompt_text(fake_openai)


def test_except_own_still_redacts_contacts_of_someone_elses_account(
    fake_slack: FakeSlackApi, fake_openai: FakeOpenAI, tmp_path: Path, sqlite_engine: Engine
):
    harness = _llm_harness(
        fake_slack, fake_openai, tmp_path, sqlite_engine, CSBOT_REDACT_CONTACT_NAMES="except-own"
    )

    harness.command(Command.CS, "draft Acme Robotics renewal", user="U_BOB")  # not Bob's

    sent = _prompt_text(fake_openai)
    assert not [name for name in CONTACT_NAMES if name in sent]
