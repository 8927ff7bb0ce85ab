"""/escalate, /escalations, the escalation buttons and the SLA job, through signed requests."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.base import utcnow
from bot.db.models import Account, Escalation
from bot.db.session import unit_of_work
from bot.slack.blocks.escalation import (
    ARR_ACTION,
    ARR_BLOCK,
    CATEGORY_ACTION,
    CATEGORY_BLOCK,
    DESCRIPTION_ACTION,
    DESCRIPTION_BLOCK,
    SEVERITY_ACTION,
    SEVERITY_BLOCK,
)
from jobs.escalations import run_escalation_sla
from jobs.outbox import run_deliver_alerts
from jobs.runner import run_job
from tests.jobs import store
from tests.support.slack_requests import slash_command, view_submission


@pytest.fixture
def harness(make_harness):
    harness = make_harness(CSBOT_ESCALATIONS_CHANNEL="C_ESC", CSBOT_QUIET_HOURS="off")
    with unit_of_work(harness.services.session_factory) as session:
        store.add_team(session)
        store.add_account(session, "acme", name="Acme Corp Inc", arr=120_000)
        store.add_account(session, "globex", name="Globex LLC", csm_id="ben")
    return harness


def _escalate(harness, text, user="U_ANA"):
    response_url = harness.fake.response_url()
    response = harness.dispatch(
        slash_command(
            "/escalate",
            text,
            user_id=user,
            response_url=response_url,
            trigger_id=harness.fake.issue_trigger_id(),
        )
    )
    assert response.status == 200
    return response_url


def _form_values(severity="critical", arr="90,000", description="Exports failing for 2 days"):
    return {
        SEVERITY_BLOCK: {SEVERITY_ACTION: {"selected_option": {"value": severity}}},
        CATEGORY_BLOCK: {CATEGORY_ACTION: {"selected_option": {"value": "product"}}},
        ARR_BLOCK: {ARR_ACTION: {"value": arr}},
        DESCRIPTION_BLOCK: {DESCRIPTION_ACTION: {"value": description}},
    }


def _submit(harness, metadata, values, user="U_ANA"):
    return harness.dispatch(
        view_submission("escalate_modal", values, user_id=user, private_metadata=metadata)
    )


def _open_form(harness):
    _escalate(harness, "acme")
    [opened] = harness.fake.calls("views.open")
    assert "Looking up" in json.dumps(opened["view"])  # opened before the lookup
    [updated] = harness.fake.calls("views.update")
    return updated["view"]


def test_empty_or_unknown_account_gets_a_clear_ephemeral_reply(harness, fake_slack):
    _escalate(harness, "   ")
    _escalate(harness, "Initech")
    replies = fake_slack.calls("response_url")
    assert "Which account?" in replies[0]["text"] and "/escalate ACCOUNT" in replies[0]["text"]
    assert "No account named “Initech”" in replies[1]["text"]
    assert all(r["response_type"] == "ephemeral" for r in replies)
    [update] = fake_slack.calls("views.update")
    assert "No account named" in json.dumps(update["view"])


def test_modal_is_prefilled_and_validates_fields(harness):
    view = _open_form(harness)
    arr_input = next(b for b in view["blocks"] if b.get("block_id") == ARR_BLOCK)
    assert arr_input["element"]["initial_value"] == "120000"
    bad = _submit(harness, view["private_metadata"], _form_values(arr="lots", description=""))
    errors = json.loads(bad.body)["errors"]
    assert set(errors) == {ARR_BLOCK, DESCRIPTION_BLOCK} and "lots" in errors[ARR_BLOCK]
    with unit_of_work(harness.services.session_factory) as session:
        assert session.scalars(select(Escalation)).all() == []


@pytest.mark.any_date
def test_submission_posts_in_the_channel_with_a_thread_and_the_owner_acts(harness, fake_slack):
    view = _open_form(harness)
    response = _submit(harness, view["private_metadata"], _form_values())
    assert response.status == 200
    [post, note] = fake_slack.messages("C_ESC")
    assert "<@U_ANA>" in json.dumps(post.blocks) and "<@U_MGR>" in json.dumps(post.blocks)
    assert "Acme Corp Inc" in post.text and "$90,000" in json.dumps(post.blocks)
    assert note.thread_ts == post.ts and "Updates on escalation" in note.text
    with unit_of_work(harness.services.session_factory) as session:
        escalation = session.scalars(select(Escalation)).one()
    assert escalation.slack_ts == post.ts and escalation.severity == "critical"
    assert abs((escalation.sla_due_at - escalation.created_at) - timedelta(hours=1)) < timedelta(
        seconds=1
    )
    # /escalations lists it
    listing_url = fake_slack.response_url()
    harness.dispatch(slash_command("/escalations", "", user_id="U_BEN", response_url=listing_url))
    listing = fake_slack.calls("response_url")[-1]
    assert "#1 Acme Corp Inc" in json.dumps(listing["blocks"])

    def click(action_id, user):
        harness.click(
            action_id,
            str(escalation.id),
            user_id=user,
            channel_id="C_ESC",
            message_ts=post.ts,
            block_id="escalation:1",
        )

    # an outsider may not acknowledge; the owner may
    click("escalation_acknowledge", "U_OUT")
    assert "Only the owner" in fake_slack.calls("response_url")[-1]["text"]
    click("escalation_acknowledge", "U_ANA")
    with unit_of_work(harness.services.session_factory) as session:
        assert session.get(Escalation, escalation.id).status == "acknowledged"
    [update] = fake_slack.calls("chat.update")
    assert update["ts"] == post.ts and "Acknowledged by <@U_ANA>" in json.dumps(update["blocks"])
    assert "acknowledged this escalation" in fake_slack.thread("C_ESC", post.ts)[-1].text
    click("escalation_resolve", "U_MGR")
    with unit_of_work(harness.services.session_factory) as session:
        assert session.get(Escalation, escalation.id).status == "resolved"


@pytest.mark.any_date
def test_sla_job_repings_then_escalates_to_the_manager_once(harness, fake_slack):
    view = _open_form(harness)
    _submit(harness, view["private_metadata"], _form_values(severity="critical"))
    opened = utcnow()
    services = harness.services
    early = run_job("escalation_sla", run_escalation_sla, services, now=opened)
    assert early.summary == {"repinged": 0, "escalated_to_manager": 0}
    late = run_job(
        "escalation_sla", run_escalation_sla, services, now=opened + timedelta(hours=1, minutes=1)
    )
    assert late.summary["repinged"] == 1
    post = fake_slack.messages("C_ESC")[0]
    assert "SLA" in fake_slack.thread("C_ESC", post.ts)[-1].text
    later = run_job(
        "escalation_sla", run_escalation_sla, services, now=opened + timedelta(hours=1, minutes=31)
    )
    assert later.summary["escalated_to_manager"] == 1
    [manager_dm] = fake_slack.messages("DU_MGR")
    assert "Unacknowledged past SLA" in manager_dm.text
    again = run_job("escalation_sla", run_escalation_sla, services, now=opened + timedelta(hours=3))
    assert again.summary == {"repinged": 0, "escalated_to_manager": 0}
    assert len(fake_slack.messages("DU_MGR")) == 1


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("$90,000", 90_000), ("USD 90,000.50", 90_000.5), ("90 000", 90_000), ("90'000 USD", 90_000)],
)
def test_typed_arr_accepts_symbols_codes_and_thousands_separators(harness, typed, stored):
    view = _open_form(harness)
    response = _submit(harness, view["private_metadata"], _form_values(arr=typed))
    assert response.status == 200 and not response.body
    with unit_of_work(harness.services.session_factory) as session:
        assert float(session.scalars(select(Escalation)).one().arr_at_risk) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12abc", "“12abc” is not an amount: “abc” is not a currency"),
        ("1,2,3", "digits are grouped in threes"),
        ("-$5,000", "cannot be negative"),
        ("€5,000", "“€5,000” is in EUR, but this account's ARR is in USD"),
    ],
)
def test_garbage_or_foreign_arr_is_refused_and_nothing_is_written(harness, typed, message):
    view = _open_form(harness)
    errors = json.loads(_submit(harness, view["private_metadata"], _form_values(arr=typed)).body)
    assert message in errors["errors"][ARR_BLOCK]
    with unit_of_work(harness.services.session_factory) as session:
        assert session.scalars(select(Escalation)).all() == []


def test_arr_at_risk_reads_in_the_accounts_currency(harness, fake_slack):
    with unit_of_work(harness.services.session_factory) as session:
        session.get(Account, "acme").currency = "EUR"
    view = _open_form(harness)
    assert "ARR at risk (EUR)" in json.dumps(view, ensure_ascii=False)
    response = _submit(harness, view["private_metadata"], _form_values(arr="€ 90.000"))
    assert response.status == 200
    [post, _] = fake_slack.messages("C_ESC")
    blocks = json.dumps(post.blocks, ensure_ascii=False)
    assert "*ARR at risk*\\n€90,000" in blocks and "$" not in blocks


@pytest.mark.any_date
def test_a_post_refused_at_submit_goes_out_with_the_deliver_alerts_job_in_its_thread(
    harness, fake_slack
):
    """Delivery is its own step: the outbox job sends what the handler could not, and the
    escalation learns where its post landed (the on-sent hook), so the note threads under it."""
    fake_slack.fail_next("chat.postMessage", status=200, error="fatal_error")
    view = _open_form(harness)
    assert _submit(harness, view["private_metadata"], _form_values()).status == 200
    assert fake_slack.messages("C_ESC") == []
    with unit_of_work(harness.services.session_factory) as session:
        assert session.scalars(select(Escalation)).one().slack_ts is None
    result = run_job(
        "deliver_alerts", run_deliver_alerts, harness.services, now=utcnow() + timedelta(minutes=2)
    )
    assert result.ok and result.delivery["sent"] == 2, result.delivery
    [post, note] = fake_slack.messages("C_ESC")
    assert "Acme Corp Inc" in post.text
    assert note.thread_ts == post.ts and "Updates on escalation" in note.text
    with unit_of_work(harness.services.session_factory) as session:
        escalation = session.scalars(select(Escalation)).one()
    assert (escalation.slack_channel, escalation.slack_ts) == ("C_ESC", post.ts)
