"""Block Kit for the manager digest and the CSM weekly summary, with drill-down buttons.

Money goes through ``bot.money`` (one formatter, the team's locale), one total per
currency; the first digest, with no earlier snapshot, shows no changes at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot.money import format_money, format_signed_money, format_totals
from bot.slack.blocks.cta_alert import clip, escape_mrkdwn
from bot.slack.ids import ActionId

if TYPE_CHECKING:
    from bot.db.digest_queries import AccountBand, RenewalRow
    from bot.money import MoneyTotals

BAND_EMOJI = {"red": "🔴", "yellow": "🟡", "green": "🟢"}
DRILL_DOWNS = (
    ("red", "Red accounts"),
    ("renewals", "Renewals in 30 days"),
    ("overdue", "Overdue CTAs"),
)


FIRST_DIGEST = "first digest — no comparison yet"


class PortfolioDigest(Protocol):
    """The figures one digest shows (``bot.services.insights.digest`` builds them).

    A protocol, so the builders here depend on the shape and not on the service.
    """

    title: str
    scope_label: str
    scope_key: str
    today: date
    compare_day: date
    accounts: int
    band_counts: Mapping[str, int]
    band_change: Mapping[str, int]
    arr_at_risk: MoneyTotals
    arr_at_risk_change: MoneyTotals
    turned_red: Sequence[AccountBand]
    recovered: Sequence[AccountBand]
    renewals_30: Sequence[tuple[RenewalRow, AccountBand | None]]
    renewals_90: Sequence[tuple[RenewalRow, AccountBand | None]]
    overdue_by_owner: Sequence[tuple[str, str | None, int]]
    completed_ctas: int
    raised_ctas: int
    open_ctas: int
    escalations_past_sla: Sequence[tuple[int, str, str, datetime]]
    has_comparison: bool

    @property
    def completion_rate(self) -> float | None: ...


def _signed(n: float) -> str:
    return f"{'+' if n >= 0 else '−'}{abs(int(n))}"


def _arr_at_risk(digest: PortfolioDigest) -> str:
    """``$140,000 (+$40,000)``; per currency; no change shown without an earlier snapshot."""
    total = format_totals(digest.arr_at_risk)
    if not digest.has_comparison:
        return total
    changes = ", ".join(
        format_signed_money(amount, currency) for currency, amount in digest.arr_at_risk_change
    )
    return f"{total} ({changes or format_signed_money(0)})"


def _names(items: list[Any], limit: int = 8) -> str:
    if not items:
        return "none"
    shown = ", ".join(f"{escape_mrkdwn(a.name)} ({a.score:.0f})" for a in items[:limit])
    return shown + (f" +{len(items) - limit} more" if len(items) > limit else "")


def build_digest_blocks(digest: PortfolioDigest) -> tuple[str, list[dict[str, Any]]]:
    since = "yesterday" if (digest.today - digest.compare_day).days == 1 else "last week"
    change_line = f"change since {since}" if digest.has_comparison else FIRST_DIGEST
    bands = "   ".join(
        f"{BAND_EMOJI[b]} *{digest.band_counts[b]}* {b}"
        + (f" ({_signed(digest.band_change[b])})" if digest.has_comparison else "")
        for b in ("red", "yellow", "green")
    )
    rate = digest.completion_rate
    rate_text = (
        f"{rate:.0%} ({digest.completed_ctas}/{digest.raised_ctas})"
        if rate is not None
        else "no CTAs raised"
    )
    renewals30 = (
        "\n".join(
            f"• {escape_mrkdwn(r.name)} — {r.end_date:%d %b}, {format_money(r.arr, r.currency)}, "
            + (f"{BAND_EMOJI.get(h.band, '')} {h.score:.0f}" if h else "not scored")
            for r, h in digest.renewals_30[:8]
        )
        or "none"
    )
    overdue = (
        "\n".join(
            f"• {f'<@{slack}>' if slack else escape_mrkdwn(name)}: {n}"
            for name, slack, n in digest.overdue_by_owner[:10]
        )
        or "none 🎉"
    )
    escalations = (
        "\n".join(
            f"• #{i} {escape_mrkdwn(name)} ({sev}) — SLA was {due:%d %b %H:%M} UTC"
            for i, name, sev, due in digest.escalations_past_sla[:8]
        )
        or "none"
    )
    text = (
        f"{digest.title}: {digest.band_counts['red']} red, "
        f"ARR at risk {format_totals(digest.arr_at_risk)}"
    )
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(digest.title, 150)}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": clip(
                    f"*{escape_mrkdwn(digest.scope_label)}* · {digest.accounts} accounts · "
                    f"{change_line}\n{bands}",
                    3000,
                ),
            },
        },
        {
            "type": "section",
            "fields": [
                {
                    "type": "mrkdwn",
                    "text": f"*ARR at risk*\n{_arr_at_risk(digest)}",
                },
                {"type": "mrkdwn", "text": f"*CTA completion (30 d)*\n{rate_text}"},
                {
                    "type": "mrkdwn",
                    "text": clip(f"*Turned red*\n{_names(digest.turned_red)}", 2000),
                },
                {"type": "mrkdwn", "text": clip(f"*Recovered*\n{_names(digest.recovered)}", 2000)},
                {
                    "type": "mrkdwn",
                    "text": f"*Renewals*\n{len(digest.renewals_30)} in 30 days · "
                    f"{len(digest.renewals_90)} in 90 days",
                },
                {"type": "mrkdwn", "text": f"*Open CTAs*\n{digest.open_ctas}"},
            ],
        },
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": clip(f"*Renewing in 30 days*\n{renewals30}", 3000)},
        },
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": clip(f"*Overdue CTAs by CSM*\n{overdue}", 3000)},
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": clip(f"*Escalations past SLA*\n{escalations}", 3000),
            },
        },
        {
            "type": "actions",
            "block_id": "digest_drill",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": label},
                    "action_id": f"{ActionId.DIGEST_DRILL_DOWN.value}:{what}",
                    "value": drill_down_value(what, digest.scope_key, digest.today),
                }
                for what, label in DRILL_DOWNS
            ],
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"Health as of {digest.today.isoformat()} · "
                    + (
                        f"compared with {digest.compare_day.isoformat()}"
                        if digest.has_comparison
                        else FIRST_DIGEST
                    ),
                }
            ],
        },
    ]
    return text, blocks


def drill_down_value(what: str, scope_key: str, day: date) -> str:
    """``red|team:mgr|2026-11-18``: the list, the digest's book and the day it was built for.

    The day travels with the button so a click answers for the digest the reader is
    looking at, not for whatever day it is when they click.
    """
    return f"{what}|{scope_key}|{day.isoformat()}"


@dataclass(frozen=True, slots=True)
class DrillDownRef:
    what: str
    scope_key: str
    day: date | None
    """None for buttons sent before the day was carried: the handler uses today."""


def parse_drill_down_value(value: str | None) -> DrillDownRef:
    """The inverse of :func:`drill_down_value` (a malformed day is treated as absent)."""
    what, _, rest = str(value or "").partition("|")
    scope_key, _, day_text = rest.partition("|")
    try:
        day = date.fromisoformat(day_text) if day_text else None
    except ValueError:
        day = None
    return DrillDownRef(what=what, scope_key=scope_key, day=day)


def build_drill_down_blocks(title: str, lines: list[str]) -> tuple[str, list[dict[str, Any]]]:
    """An ephemeral list answering a drill-down button (at most 40 lines)."""
    shown = lines[:40]
    body = "\n".join(shown) or "Nothing to show."
    if len(lines) > len(shown):
        body += f"\n…and {len(lines) - len(shown)} more"
    return title, [
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(f"*{title}*\n{body}", 3000)}}
    ]
