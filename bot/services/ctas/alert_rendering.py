"""How a CTA alert reads: its playbook brief, drivers, status line and blocks.

Used when planning posts a CTA (``alert_planning``) and when a button changes the CTA
and every copy of its message is re-rendered with ``chat.update`` (``actions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from bot.db import cta_repository as ctas_db
from bot.slack.blocks.cta_alert import CtaAlertView, build_cta_alert_blocks
from bot.slack.blocks.renewal import build_renewal_alert_blocks


@dataclass(frozen=True, slots=True)
class PlaybookBrief:
    title: str
    first_steps: tuple[str, ...]


@lru_cache(maxsize=1)
def _playbook_briefs() -> dict[str, PlaybookBrief]:
    from knowledge.playbooks import load_playbooks

    return {
        playbook_id: PlaybookBrief(
            title=playbook.title,
            first_steps=tuple(
                f"{step.text} ({step.timing})" if step.timing else step.text
                for step in playbook.steps[:3]
            ),
        )
        for playbook_id, playbook in load_playbooks().items()
    }


def playbook_brief(playbook_id: str) -> PlaybookBrief | None:
    return _playbook_briefs().get(playbook_id)


def draft_action_id() -> str:
    """The drafting area's "Draft email" button; its value is the CTA id."""
    from bot.slack.ids import ActionId

    return ActionId.DRAFT_EMAIL.value


def driver_texts(drivers: list[Any] | None, limit: int = 3) -> tuple[str, ...]:
    texts = []
    for driver in drivers or []:
        if isinstance(driver, dict) and driver.get("text"):
            texts.append(str(driver["text"]))
        elif isinstance(driver, str):
            texts.append(driver)
    return tuple(texts[:limit])


def status_line(item: ctas_db.CtaWithPeople) -> str:
    cta = item.cta
    if cta.status == "acknowledged":
        return f"👀 Acknowledged · {cta.updated_at:%d %b %H:%M} UTC"
    if cta.status == "snoozed" and cta.snoozed_until:
        why = f" — {cta.snooze_reason}" if cta.snooze_reason else ""
        return f"💤 Snoozed until {cta.snoozed_until:%d %b %H:%M} UTC{why}"
    if cta.status == "completed":
        outcome = f": {cta.outcome}" if cta.outcome else ""
        return f"✅ Completed{outcome}"
    return "Status: open"


def render_cta_message(
    item: ctas_db.CtaWithPeople, *, drivers: list[Any] | None, health_text: str | None
) -> tuple[str, list[dict[str, Any]]]:
    """(text, blocks) for a CTA in its current state; used for posting and chat.update."""
    cta = item.cta
    brief = playbook_brief(cta.playbook_id)
    view = CtaAlertView(
        cta_id=cta.id,
        account_id=cta.account_id,
        account_name=item.account_name,
        type=cta.type,
        priority=cta.priority,
        rule=cta.rule,
        reason=cta.reason,
        due_date=cta.due_date,
        status=cta.status,
        owner_slack_id=item.owner_slack_id,
        owner_name=item.owner_name,
        drivers=driver_texts(drivers),
        playbook_id=cta.playbook_id,
        playbook_title=brief.title if brief else None,
        first_steps=brief.first_steps if brief else (),
        status_line=status_line(item),
        draft_action_id=draft_action_id(),
    )
    details = cta.details or {}
    if cta.rule == "renewal" and "days_left" in details:
        return build_renewal_alert_blocks(
            view,
            days_left=int(details["days_left"]),
            end_date=date.fromisoformat(details["end_date"]),
            arr=details.get("arr"),
            currency=details.get("currency") or "USD",
            health=health_text,
        )
    return build_cta_alert_blocks(view)
