"""CTA buttons through signed Slack requests: allowed people change the CTA in place."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from bot.db.models import Alert, Cta
from bot.db.session import unit_of_work
from bot.slack.blocks.cta_modals import (
    OUTCOME_ACTION,
    OUTCOME_BLOCK,
    REASON_ACTION,
    REASON_BLOCK,
    SNOOZE_ACTION,
    SNOOZE_BLOCK,
)
from jobs.ctas import run_cta_rules
from jobs.runner import run_job
from tests.jobs.store import NOW
from tests.jobs.test_cta_rules import build_rule_store
from tests.support.slack_requests import block_actions, interactive_payload, view_submission


@pytest.fixture
def harness(make_harness):
    harness = make_harness(CSBOT_QUIET_HOURS="off", CSBOT_CSM_DAILY_ALERT_BUDGET=2)
    with unit_of_work(harness.services.session_factory) as session:
        build_rule_store(session)
    assert run_job("cta_rules", run_cta_rules, harness.services, now=NOW).ok
    return harness


def _sent_cta(harness):
    """The first CTA that was posted on its own, and its Slack message."""
    with unit_of_work(harness.services.session_factory) as session:
        alert = session.scalars(
            select(Alert).where(Alert.kind == "cta", Alert.status == "sent").order_by(Alert.id)
        ).first()
        return alert.cta_id, alert.slack_channel, alert.slack_ts


def _cta(harness, cta_id):
    with unit_of_work(harness.services.session_factory) as session:
        return session.get(Cta, cta_id)


def _click(harness, action_id, cta_id, channel, ts, user, **extra):
    return harness.click(
        action_id,
        str(cta_id),
        user_id=user,
        channel_id=channel,
        message_ts=ts,
        block_id=f"cta:{cta_id}",
        **extra,
    )


def test_someone_else_is_refused_ephemerally_and_nothing_changes(harness, fake_slack):
    cta_id, channel, ts = _sent_cta(harness)
    for action in ("cta_acknowledge", "cta_snooze", "cta_complete"):
        response = _click(harness, action, cta_id, channel, ts, "U_OUT")
        assert response.status == 200
    refusals = fake_slack.calls("response_url")
    assert len(refusals) == 3
    assert all("Only the owner (Ana CSM), their manager or an admin" in r["text"] for r in refusals)
    assert all(r.get("response_type") == "ephemeral" for r in refusals)
    assert all(not r.get("replace_original") for r in refusals)
    assert fake_slack.calls("chat.update") == [] and fake_slack.calls("views.open") == []
    assert _cta(harness, cta_id).status == "open"


def test_unknown_slack_user_is_refused(harness, fake_slack):
    cta_id, channel, ts = _sent_cta(harness)
    _click(harness, "cta_acknowledge", cta_id, channel, ts, "U_STRANGER")
    [refusal] = fake_slack.calls("response_url")
    assert "not linked to a CSM" in refusal["text"]
    assert _cta(harness, cta_id).status == "open"


def test_owner_acknowledges_and_the_message_updates_in_place(harness, fake_slack):
    cta_id, channel, ts = _sent_cta(harness)
    _click(harness, "cta_acknowledge", cta_id, channel, ts, "U_ANA")
    assert _cta(harness, cta_id).status == "acknowledged"
    [update] = fake_slack.calls("chat.update")
    assert (update["channel"], update["ts"]) == (channel, ts)
    context = next(b for b in update["blocks"] if b["type"] == "context")
    assert "Acknowledged" in context["elements"][0]["text"]
    buttons = next(b for b in update["blocks"] if b["type"] == "actions")["elements"]
    assert "cta_acknowledge" not in [b["action_id"] for b in buttons]
    stored = fake_slack.messages(channel)
    assert any(m.ts == ts and "Acknowledged" in json.dumps(m.blocks) for m in stored)


@pytest.mark.any_date
def test_manager_snoozes_for_a_week_with_a_reason(harness, fake_slack):
    cta_id, channel, ts = _sent_cta(harness)
    trigger = fake_slack.issue_trigger_id()
    _click(harness, "cta_snooze", cta_id, channel, ts, "U_MGR", trigger_id=trigger)
    [opened] = fake_slack.calls("views.open")
    modal = opened["view"]
    assert modal["callback_id"] == "cta_snooze_modal"

    def submit(reason):
        return harness.dispatch(
            view_submission(
                "cta_snooze_modal",
                {
                    SNOOZE_BLOCK: {SNOOZE_ACTION: {"selected_option": {"value": "1w"}}},
                    REASON_BLOCK: {REASON_ACTION: {"value": reason}},
                },
                user_id="U_MGR",
                private_metadata=modal["private_metadata"],
            )
        )

    empty = submit("  ")
    assert json.loads(empty.body)["response_action"] == "errors"
    assert _cta(harness, cta_id).status == "open"
    submit("customer on holiday")
    cta = _cta(harness, cta_id)
    assert cta.status == "snoozed" and cta.snooze_reason == "customer on holiday"
    assert 6.9 < (cta.snoozed_until - cta.updated_at).total_seconds() / 86400 < 7.1
    [update] = fake_slack.calls("chat.update")
    assert "Snoozed until" in json.dumps(update["blocks"])


def test_admin_completes_with_an_outcome_and_buttons_disappear(harness, fake_slack):
    cta_id, channel, ts = _sent_cta(harness)
    _click(
        harness,
        "cta_complete",
        cta_id,
        channel,
        ts,
        "U_ADM",
        trigger_id=fake_slack.issue_trigger_id(),
    )
    [opened] = fake_slack.calls("views.open")
    harness.dispatch(
        view_submission(
            "cta_complete_modal",
            {OUTCOME_BLOCK: {OUTCOME_ACTION: {"selected_option": {"value": "resolved"}}}},
            user_id="U_ADM",
            private_metadata=opened["view"]["private_metadata"],
        )
    )
    cta = _cta(harness, cta_id)
    assert cta.status == "completed" and cta.outcome.startswith("Resolved")
    [update] = fake_slack.calls("chat.update")
    assert not [b for b in update["blocks"] if b["type"] == "actions"]


def test_owner_reassigns_and_the_new_owner_gets_a_dm(harness, fake_slack):
    cta_id, channel, ts = _sent_cta(harness)
    harness.click(
        "cta_reassign",
        None,
        user_id="U_ANA",
        channel_id=channel,
        message_ts=ts,
        block_id=f"cta:{cta_id}",
    )
    assert _cta(harness, cta_id).owner_csm_id == "ana"  # nobody selected: refused, unchanged
    payload = json.loads(
        parse_qs(
            block_actions(
                "cta_reassign",
                None,
                user_id="U_ANA",
                channel_id=channel,
                message_ts=ts,
                block_id=f"cta:{cta_id}",
            ).body
        )["payload"][0]
    )
    payload["actions"][0].update(type="users_select", selected_user="U_BEN")
    payload["response_url"] = fake_slack.response_url("actions")
    harness.dispatch(interactive_payload(payload))
    assert _cta(harness, cta_id).owner_csm_id == "ben"
    [dm] = fake_slack.messages("DU_BEN")
    assert f"CTA #{cta_id}" in json.dumps(dm.blocks) and "<@U_BEN>" in json.dumps(dm.blocks)
    assert len(fake_slack.calls("chat.update")) == 1
