"""Modals for the CTA buttons that need more than a click: snooze (with reason), complete.

The CTA id and the message to update travel in ``private_metadata`` (≤ 3,000 chars),
so the submission handler needs no server-side session state.
"""

from __future__ import annotations

import json
from typing import Any

from bot.slack.ids import CallbackId

SNOOZE_BLOCK = "snooze_for"
SNOOZE_ACTION = "snooze_for_choice"
REASON_BLOCK = "reason"
REASON_ACTION = "reason_text"
OUTCOME_BLOCK = "outcome"
OUTCOME_ACTION = "outcome_choice"
NOTES_BLOCK = "notes"
NOTES_ACTION = "notes_text"

SNOOZE_CHOICES = {"1d": "1 day", "1w": "1 week"}
OUTCOMES = {
    "resolved": "Resolved — risk addressed",
    "renewed": "Renewed / expanded",
    "no_action": "No action needed",
    "churn_risk_remains": "Handled, risk remains",
}


def cta_modal_metadata(cta_id: int, channel: str | None, ts: str | None) -> str:
    return json.dumps({"cta_id": cta_id, "channel": channel, "ts": ts}, separators=(",", ":"))


def _options(choices: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"text": {"type": "plain_text", "text": label}, "value": value}
        for value, label in choices.items()
    ]


def build_snooze_modal(*, cta_id: int, account_name: str, metadata: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CallbackId.CTA_SNOOZE_MODAL.value,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": "Snooze CTA"},
        "submit": {"type": "plain_text", "text": "Snooze"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"Snooze CTA #{cta_id} for *{account_name}*"},
            },
            {
                "type": "input",
                "block_id": SNOOZE_BLOCK,
                "label": {"type": "plain_text", "text": "For how long"},
                "element": {
                    "type": "radio_buttons",
                    "action_id": SNOOZE_ACTION,
                    "options": _options(SNOOZE_CHOICES),
                    "initial_option": _options(SNOOZE_CHOICES)[0],
                },
            },
            {
                "type": "input",
                "block_id": REASON_BLOCK,
                "label": {"type": "plain_text", "text": "Reason"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": REASON_ACTION,
                    "max_length": 500,
                },
            },
        ],
    }


def build_complete_modal(*, cta_id: int, account_name: str, metadata: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CallbackId.CTA_COMPLETE_MODAL.value,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": "Complete CTA"},
        "submit": {"type": "plain_text", "text": "Complete"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"Complete CTA #{cta_id} for *{account_name}*"},
            },
            {
                "type": "input",
                "block_id": OUTCOME_BLOCK,
                "label": {"type": "plain_text", "text": "Outcome"},
                "element": {
                    "type": "static_select",
                    "action_id": OUTCOME_ACTION,
                    "options": _options(OUTCOMES),
                },
            },
            {
                "type": "input",
                "block_id": NOTES_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "Notes"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": NOTES_ACTION,
                    "multiline": True,
                    "max_length": 1000,
                },
            },
        ],
    }
