"""Block Kit for a renewal reminder: the CTA card with the contract facts up front."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from bot.money import format_money
from bot.slack.blocks.cta_alert import CtaAlertView, build_cta_alert_blocks
from bot.slack.formatting import clip, escape_mrkdwn


def build_renewal_alert_blocks(
    view: CtaAlertView,
    *,
    days_left: int,
    end_date: date,
    arr: float | None,
    health: str | None,
    currency: str = "USD",
) -> tuple[str, list[dict[str, Any]]]:
    """A renewal CTA: header says how far away it is, fields carry date, ARR and health."""
    facts = (
        ("Contract ends", end_date.strftime("%a %d %b %Y")),
        ("ARR", format_money(arr, currency) if arr is not None else "n/a"),
        ("Health", health or "not scored yet"),
        ("Days left", str(days_left)),
    )
    text, blocks = build_cta_alert_blocks(replace(view, facts=facts))
    blocks[0]["text"]["text"] = clip(f"🔁 Renewal in {days_left} days: {view.account_name}", 150)
    name, reason = escape_mrkdwn(view.account_name), escape_mrkdwn(view.reason)
    return f"Renewal in {days_left} days for {name}: {reason}", blocks
