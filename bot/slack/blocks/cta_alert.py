"""Block Kit for a CTA alert: what happened (with numbers), why, what to do first, buttons.

The message is rebuilt from the CTA's current state on every click, so "update in
place" is just rendering again and calling ``chat.update``. Builders are pure and
respect Slack's limits (3,000 chars per section, 150 per header, 75 per button).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.slack.formatting import clip, escape_mrkdwn
from bot.slack.ids import ActionId

TYPE_LABELS = {
    "risk": ("🚨", "Risk"),
    "renewal": ("🔁", "Renewal"),
    "expansion": ("📈", "Expansion"),
    "onboarding": ("🧭", "Onboarding"),
    "lifecycle": ("🗓️", "Lifecycle"),
    "advocacy": ("⭐", "Advocacy"),
}
SECTION_LIMIT = 3000
HEADER_LIMIT = 150


@dataclass(frozen=True, slots=True)
class CtaAlertView:
    """Everything the CTA message shows; built from the store by
    ``bot.services.ctas.alert_rendering``."""

    cta_id: int
    account_id: str
    account_name: str
    type: str
    priority: str
    rule: str
    reason: str
    due_date: date | None
    status: str
    owner_slack_id: str | None
    owner_name: str | None = None
    drivers: tuple[str, ...] = ()
    playbook_id: str | None = None
    playbook_title: str | None = None
    first_steps: tuple[str, ...] = ()
    status_line: str | None = None
    draft_action_id: str | None = None
    facts: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def owner_mention(view: CtaAlertView) -> str:
    if view.owner_slack_id:
        return f"<@{view.owner_slack_id}>"
    return escape_mrkdwn(view.owner_name or "unassigned")


def cta_fallback_text(view: CtaAlertView) -> str:
    _, label = TYPE_LABELS.get(view.type, ("•", view.type.title()))
    # ``text`` is read as mrkdwn too (notifications): customer text is escaped as in blocks
    name, reason = escape_mrkdwn(view.account_name), escape_mrkdwn(view.reason)
    return clip(f"{label} CTA for {name}: {reason}", 3000)


def build_cta_alert_blocks(view: CtaAlertView) -> tuple[str, list[dict[str, Any]]]:
    """(fallback text, blocks) for one CTA alert."""
    emoji, label = TYPE_LABELS.get(view.type, ("•", view.type.title()))
    due = view.due_date.strftime("%a %d %b") if view.due_date else "no due date"
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": clip(f"{emoji} {label}: {view.account_name}", HEADER_LIMIT),
                "emoji": True,
            },
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": clip(
                    f"*{escape_mrkdwn(view.reason)}*\n"
                    f"Priority *{view.priority}* · due {due} · owner {owner_mention(view)}",
                    SECTION_LIMIT,
                ),
            },
        },
    ]
    if view.facts:
        blocks.append(
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": clip(f"*{name}*\n{escape_mrkdwn(value)}", 2000)}
                    for name, value in view.facts[:10]
                ],
            }
        )
    if view.drivers:
        lines = "\n".join(f"• {escape_mrkdwn(d)}" for d in view.drivers[:5])
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": clip(f"*Why*\n{lines}", SECTION_LIMIT)},
            }
        )
    if view.first_steps:
        title = escape_mrkdwn(view.playbook_title or view.playbook_id or "playbook")
        steps = "\n".join(
            f"{n}. {escape_mrkdwn(step)}" for n, step in enumerate(view.first_steps[:3], 1)
        )
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": clip(f"*First steps* — {title}\n{steps}", SECTION_LIMIT),
                },
            }
        )
    status = view.status_line or f"Status: {view.status}"
    blocks.append(
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": clip(status, 3000)},
                {"type": "mrkdwn", "text": f"CTA #{view.cta_id} · {view.rule}"},
            ],
        }
    )
    actions = cta_action_elements(view)
    if actions:
        blocks.append({"type": "actions", "block_id": f"cta:{view.cta_id}", "elements": actions})
    return cta_fallback_text(view), blocks


def cta_action_elements(view: CtaAlertView) -> list[dict[str, Any]]:
    """Buttons for the CTA's current status: a closed CTA has none."""
    if view.status in ("completed", "cancelled"):
        return []
    value = str(view.cta_id)
    elements: list[dict[str, Any]] = []
    if view.status == "open":
        elements.append(_button("Acknowledge", ActionId.CTA_ACKNOWLEDGE, value, style="primary"))
    elements.append(_button("Snooze…", ActionId.CTA_SNOOZE, value))
    elements.append(_button("Complete…", ActionId.CTA_COMPLETE, value))
    elements.append(
        {
            "type": "users_select",
            "action_id": ActionId.CTA_REASSIGN.value,
            "placeholder": {"type": "plain_text", "text": "Reassign to…"},
        }
    )
    if view.draft_action_id:
        elements.append(_button("Draft email", view.draft_action_id, value))
    return elements


def _button(text: str, action_id: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": clip(text, 75), "emoji": True},
        "action_id": str(action_id),
        "value": value,
    }
    if style:
        button["style"] = style
    return button


@dataclass(frozen=True, slots=True)
class RolledCta:
    account_name: str
    priority: str
    reason: str
    cta_id: int


def build_cta_summary_blocks(
    items: list[RolledCta], *, day: date, why: str
) -> tuple[str, list[dict[str, Any]]]:
    """One message for every CTA held back today (budget or cooldown), newest last."""
    shown = items[:20]
    lines = "\n".join(
        f"• *{escape_mrkdwn(item.account_name)}* ({item.priority}) — "
        f"{escape_mrkdwn(clip(item.reason, 180))} `#{item.cta_id}`"
        for item in shown
    )
    more = f"\n…and {len(items) - len(shown)} more" if len(items) > len(shown) else ""
    text = f"{len(items)} more CTA(s) for you on {day.isoformat()}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip("📋 " + text, 150)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(lines + more, SECTION_LIMIT)}},
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": clip(escape_mrkdwn(why), 3000)}],
        },
    ]
    return text, blocks
