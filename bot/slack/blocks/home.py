"""The App Home tab: the viewer's portfolio at a glance.

Counts by band, ARR at risk, renewals in the next 90 days, the biggest health
movers of the week and open CTAs, each a short list (the Home tab allows 100
blocks; this stays under 40 whatever the book's size).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.db.queries.records import (
    BandCounts,
    CtaRecord,
    MoneyTotal,
    MoverRow,
    Page,
    PortfolioAccountRow,
    RenewalRow,
)
from bot.slack.blocks.answer import Blocks, bullets, divider, facts, freshness, paragraph, title
from bot.slack.blocks.next_steps_answer import cta_line
from bot.slack.blocks.portfolio_answer import (
    account_line,
    band_count_text,
    mover_line,
    renewal_line,
    totals_text,
)


@dataclass(frozen=True, slots=True)
class HomeView:
    viewer_name: str
    scope_label: str
    bands: BandCounts
    totals: list[MoneyTotal]
    at_risk_totals: list[MoneyTotal]
    at_risk: Page[PortfolioAccountRow]
    renewals: Page[RenewalRow]
    renewal_totals: list[MoneyTotal]
    renewal_days: int
    movers: list[MoverRow]
    mover_days: int
    ctas: Page[CtaRecord]
    freshness_line: str
    today: date
    churn_risk_source: str | None = None  # "model" / "health": said, never silently swapped


def _more(page: Page[Any]) -> str:
    extra = page.total - len(page.items)
    return f" (+{extra} more)" if extra > 0 else ""


def build_home_blocks(view: HomeView) -> Blocks:
    blocks: Blocks = [title(f"{view.viewer_name}'s portfolio")]
    blocks += paragraph(
        f"Showing {view.scope_label}. Ask me anything in a DM: “How is Acme doing?”"
    )
    blocks += facts(
        [
            ("Accounts by band", band_count_text(view.bands)),
            ("Total ARR", totals_text(view.totals)),
            ("ARR at risk", totals_text(view.at_risk_totals)),
            (
                f"Renewals in {view.renewal_days} days",
                f"{view.renewals.total} · {totals_text(view.renewal_totals)}",
            ),
        ]
    )
    blocks.append(divider())
    blocks += _section(
        f"At risk{_more(view.at_risk)}",
        [account_line(row, view.today) for row in view.at_risk.items],
        "No red or at-risk accounts.",
    )
    blocks += _section(
        f"Renewals in the next {view.renewal_days} days{_more(view.renewals)}",
        [renewal_line(row, view.today) for row in view.renewals.items],
        "No renewals coming up.",
    )
    blocks += _section(
        f"Biggest movers ({view.mover_days} days)",
        [mover_line(row) for row in view.movers],
        "No health changes to show yet.",
    )
    blocks += _section(
        f"Open CTAs{_more(view.ctas)}",
        [cta_line(cta, view.today, with_account=True) for cta in view.ctas.items],
        "No open CTAs.",
    )
    if view.churn_risk_source is not None:
        blocks.append(freshness(_CHURN_RISK_SOURCES.get(view.churn_risk_source, "")))
    blocks.append(freshness(view.freshness_line))
    return blocks


_CHURN_RISK_SOURCES = {
    "model": "Churn risk: from the churn model (it beat the health score on the back-test).",
    "health": "Churn risk: from the health score (the churn model did not beat it on the "
    "back-test).",
}


def _section(heading: str, lines: list[str], empty: str) -> Blocks:
    if lines:
        return bullets(heading, lines)
    return paragraph(f"*{heading}*\n{empty}")


def build_home_refusal_blocks() -> Blocks:
    return paragraph(
        "Hi! I don't know you yet, so there is no portfolio to show. Ask your csbot admin "
        "to add your Slack user to the CSM list."
    )
