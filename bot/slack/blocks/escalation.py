"""Block Kit for escalations: the /escalate modal, the channel post, thread notes, the list."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.money import format_money
from bot.slack.blocks.modals import (
    choice_element,
    input_block,
    modal,
    plain,
    section,
    text_element,
)
from bot.slack.formatting import clip, escape_mrkdwn
from bot.slack.ids import ActionId, CallbackId

SEVERITIES = {"critical": "🔥 Critical", "high": "🟠 High", "medium": "🟡 Medium", "low": "⚪ Low"}
CATEGORIES = {
    "product": "Product defect / bug",
    "outage": "Outage / performance",
    "billing": "Billing / commercial",
    "relationship": "Relationship / executive",
    "other": "Other",
}
SEVERITY_BLOCK, SEVERITY_ACTION = "severity", "severity_choice"
CATEGORY_BLOCK, CATEGORY_ACTION = "category", "category_choice"
ARR_BLOCK, ARR_ACTION = "arr_at_risk", "arr_value"
DESCRIPTION_BLOCK, DESCRIPTION_ACTION = "description", "description_text"
NEEDED_BY_BLOCK, NEEDED_BY_ACTION = "needed_by", "needed_by_date"


def build_escalation_loading_modal(query: str) -> dict[str, Any]:
    """Shown at once (the trigger id lives 3 s), replaced when the account is looked up."""
    return modal(
        callback_id=CallbackId.ESCALATE_MODAL.value,
        private_metadata=json.dumps({"query": query[:200]}),
        title="Escalate",
        close="Close",
        blocks=[section(f"Looking up *{escape_mrkdwn(query[:200])}*…")],
    )


def build_escalation_error_modal(message: str) -> dict[str, Any]:
    return modal(
        callback_id=CallbackId.ESCALATE_MODAL.value,
        title="Escalate",
        close="Close",
        blocks=[section(clip(f"⚠️ {message}", 3000))],
    )


def build_escalation_form_modal(
    *,
    account_id: str,
    account_name: str,
    arr: float | None,
    channel_id: str | None,
    currency: str | None = None,
) -> dict[str, Any]:
    """The /escalate form, its ARR prefilled and labelled in the account's currency."""
    arr_element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ARR_ACTION,
        "placeholder": plain("e.g. 120000"),
    }
    if arr is not None:
        arr_element["initial_value"] = f"{arr:.0f}"
    return modal(
        callback_id=CallbackId.ESCALATE_MODAL.value,
        private_metadata=json.dumps({"account_id": account_id, "channel_id": channel_id}),
        title="Escalate",
        submit="Escalate",
        blocks=[
            section(f"Escalation for *{escape_mrkdwn(account_name)}*"),
            input_block(
                SEVERITY_BLOCK,
                "Severity",
                choice_element("static_select", SEVERITY_ACTION, SEVERITIES, initial=1),
            ),
            input_block(
                CATEGORY_BLOCK,
                "Category",
                choice_element("static_select", CATEGORY_ACTION, CATEGORIES),
            ),
            input_block(ARR_BLOCK, f"ARR at risk ({(currency or 'USD').upper()})", arr_element),
            input_block(
                DESCRIPTION_BLOCK,
                "What is happening",
                text_element(DESCRIPTION_ACTION, max_length=2000, multiline=True),
            ),
            input_block(
                NEEDED_BY_BLOCK,
                "Needed by",
                {"type": "datepicker", "action_id": NEEDED_BY_ACTION},
                optional=True,
            ),
        ],
    )


@dataclass(frozen=True, slots=True)
class EscalationView:
    escalation_id: int
    account_name: str
    severity: str
    category: str
    arr_at_risk: float | None
    description: str
    needed_by: date | None
    status: str
    opened_by: str
    owner_slack_id: str | None
    manager_slack_id: str | None
    sla_due_at: datetime
    acknowledged_by: str | None = None
    resolved_by: str | None = None
    currency: str | None = None  # the account's; ARR at risk is in it


def _mention(slack_id: str | None, fallback: str) -> str:
    return f"<@{slack_id}>" if slack_id else fallback


def build_escalation_message(view: EscalationView) -> tuple[str, list[dict[str, Any]]]:
    severity = SEVERITIES.get(view.severity, view.severity)
    people = (
        f"Owner {_mention(view.owner_slack_id, 'unassigned')} · "
        f"manager {_mention(view.manager_slack_id, 'none')} · "
        f"raised by <@{view.opened_by}>"
    )
    status = {
        "open": f"⏳ Open — acknowledge by {view.sla_due_at:%d %b %H:%M} UTC",
        "acknowledged": f"👀 Acknowledged by {_mention(view.acknowledged_by, 'someone')}",
        "resolved": f"✅ Resolved by {_mention(view.resolved_by, 'someone')}",
    }[view.status]
    fields = [
        {"type": "mrkdwn", "text": f"*Severity*\n{severity}"},
        {"type": "mrkdwn", "text": f"*Category*\n{CATEGORIES.get(view.category, view.category)}"},
        {
            "type": "mrkdwn",
            "text": "*ARR at risk*\n"
            + (
                format_money(view.arr_at_risk, view.currency or "USD")
                if view.arr_at_risk is not None
                else "n/a"
            ),
        },
        {
            "type": "mrkdwn",
            "text": "*Needed by*\n"
            + (view.needed_by.strftime("%a %d %b") if view.needed_by else "—"),
        },
    ]
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": plain(clip(f"🚩 Escalation #{view.escalation_id}: {view.account_name}", 150)),
        },
        section(clip(f"{escape_mrkdwn(view.description)}\n\n{people}", 3000)),
        {"type": "section", "fields": fields},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": status}]},
    ]
    if view.status != "resolved":
        elements = []
        if view.status == "open":
            elements.append(
                {
                    "type": "button",
                    "action_id": ActionId.ESCALATION_ACKNOWLEDGE.value,
                    "text": plain("Acknowledge"),
                    "style": "primary",
                    "value": str(view.escalation_id),
                }
            )
        elements.append(
            {
                "type": "button",
                "action_id": ActionId.ESCALATION_RESOLVE.value,
                "text": plain("Resolve"),
                "value": str(view.escalation_id),
            }
        )
        blocks.append(
            {
                "type": "actions",
                "block_id": f"escalation:{view.escalation_id}",
                "elements": elements,
            }
        )
    text = (
        f"Escalation #{view.escalation_id} ({view.severity}) for "
        f"{escape_mrkdwn(view.account_name)}: {escape_mrkdwn(clip(view.description, 200))}"
    )
    return text, blocks


def build_thread_note(text: str) -> tuple[str, list[dict[str, Any]]]:
    return text, [section(clip(text, 3000))]


def build_escalation_list(rows: list[EscalationView]) -> tuple[str, list[dict[str, Any]]]:
    if not rows:
        return "No open escalations.", [section("No open escalations. 🎉")]
    lines = [
        f"• *#{r.escalation_id} {escape_mrkdwn(r.account_name)}* — "
        f"{SEVERITIES.get(r.severity, r.severity)}, {r.status}, owner "
        f"{_mention(r.owner_slack_id, 'unassigned')}, SLA {r.sla_due_at:%d %b %H:%M} UTC"
        for r in rows[:40]
    ]
    more = f"\n…and {len(rows) - 40} more" if len(rows) > 40 else ""
    heading = f"*{len(rows)} open escalation(s)*\n"
    return f"{len(rows)} open escalation(s)", [
        section(clip(heading + "\n".join(lines) + more, 3000))
    ]
