"""Modals for the CTA buttons that need more than a click: snooze (with reason), complete.

The CTA id and the message to update travel in ``private_metadata`` (≤ 3,000 chars),
so the submission handler needs no server-side session state.
"""

from __future__ import annotations

import json
from typing import Any

from bot.slack.blocks.modals import choice_element, input_block, modal, section, text_element
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


def build_snooze_modal(*, cta_id: int, account_name: str, metadata: str) -> dict[str, Any]:
    return modal(
        callback_id=CallbackId.CTA_SNOOZE_MODAL.value,
        private_metadata=metadata,
        title="Snooze CTA",
        submit="Snooze",
        blocks=[
            section(f"Snooze CTA #{cta_id} for *{account_name}*"),
            input_block(
                SNOOZE_BLOCK,
                "For how long",
                choice_element("radio_buttons", SNOOZE_ACTION, SNOOZE_CHOICES, initial=0),
            ),
            input_block(REASON_BLOCK, "Reason", text_element(REASON_ACTION, max_length=500)),
        ],
    )


def build_complete_modal(*, cta_id: int, account_name: str, metadata: str) -> dict[str, Any]:
    return modal(
        callback_id=CallbackId.CTA_COMPLETE_MODAL.value,
        private_metadata=metadata,
        title="Complete CTA",
        submit="Complete",
        blocks=[
            section(f"Complete CTA #{cta_id} for *{account_name}*"),
            input_block(
                OUTCOME_BLOCK, "Outcome", choice_element("static_select", OUTCOME_ACTION, OUTCOMES)
            ),
            input_block(
                NOTES_BLOCK,
                "Notes",
                text_element(NOTES_ACTION, max_length=1000, multiline=True),
                optional=True,
            ),
        ],
    )
