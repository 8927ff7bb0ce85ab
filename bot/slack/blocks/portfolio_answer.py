"""Answers about many accounts: renewals, account lists, ARR, band changes, open work.

Lists show one page (the service pages in SQL) and say which slice of the
total they are, so "Show more" (added by the transport) has an honest label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.db.queries.records import (
    BandChangeRow,
    BandCounts,
    CtaRecord,
    MoneyTotal,
    MoverRow,
    NpsSummary,
    Page,
    PortfolioAccountRow,
    RenewalRow,
)
from bot.slack import formatting as fmt
from bot.slack.blocks.answer import Blocks, bullets, facts, paragraph, title
from bot.slack.blocks.next_steps_answer import cta_line
from bot.slack.formatting import escape_mrkdwn

BAND_ORDER = ("red", "yellow", "green")


@dataclass(frozen=True, slots=True)
class RenewalsView:
    scope_label: str
    window_label: str
    start: date
    end: date
    renewals: Page[RenewalRow]
    totals: list[MoneyTotal]
    today: date


@dataclass(frozen=True, slots=True)
class AccountListView:
    heading: str
    scope_label: str
    accounts: Page[PortfolioAccountRow]
    totals: list[MoneyTotal]
    scored_on: date | None
    today: date
    empty_text: str


@dataclass(frozen=True, slots=True)
class ArrView:
    scope_label: str
    totals: list[MoneyTotal]
    at_risk: list[MoneyTotal]
    bands: BandCounts


@dataclass(frozen=True, slots=True)
class BandChangesView:
    scope_label: str
    now_date: date | None
    then_date: date | None
    changes: Page[BandChangeRow]


@dataclass(frozen=True, slots=True)
class PortfolioTicketsView:
    scope_label: str
    accounts: Page[tuple[str, str, int, int]]


@dataclass(frozen=True, slots=True)
class PortfolioNpsView:
    scope_label: str
    since: datetime
    summary: NpsSummary


@dataclass(frozen=True, slots=True)
class PortfolioCtasView:
    scope_label: str
    ctas: Page[CtaRecord]
    today: date


def totals_text(totals: Sequence[MoneyTotal]) -> str:
    """``$1,200,000`` or ``$1,200,000 + €300,000`` when books mix currencies."""
    if not totals:
        return fmt.money(0)
    return " + ".join(fmt.money(total.amount, total.currency) for total in totals)


def accounts_in(totals: Sequence[MoneyTotal]) -> int:
    return sum(total.accounts for total in totals)


def _slice(page: Page[object]) -> str:
    if not page.items:
        return f"0 of {page.total}"
    return f"{page.first_index + 1}–{page.first_index + len(page.items)} of {page.total}"


def _band_and_score(band: str | None, score_value: float | None) -> str:
    label = fmt.band_label(band)
    return f"{label} {fmt.score(score_value)}" if score_value is not None else label


def renewal_line(row: RenewalRow, today: date) -> str:
    auto = " · auto-renew" if row.auto_renew else ""
    owner = f" · {escape_mrkdwn(row.csm_name)}" if row.csm_name else ""
    return (
        f"*{escape_mrkdwn(row.account_name)}* — {fmt.day(row.end_date)} "
        f"({fmt.days_until(row.end_date, today)}) · {fmt.money(row.arr, row.currency)} · "
        f"{_band_and_score(row.band, row.score)}{auto}{owner}"
    )


def build_renewals_blocks(view: RenewalsView) -> Blocks:
    blocks: Blocks = [title(f"Renewals: {view.window_label}")]
    page = view.renewals
    window = f"{fmt.day(view.start)} – {fmt.day(view.end)}"
    if page.total == 0:
        blocks += paragraph(f"No renewals for {view.scope_label} between {window}.")
        return blocks
    blocks += paragraph(
        f"*{fmt.plural(page.total, 'contract')}* renewing for {view.scope_label} "
        f"between {window}, worth *{totals_text(view.totals)}* ARR."
    )
    blocks += bullets(
        f"Soonest first ({_slice(page)})", [renewal_line(r, view.today) for r in page.items]
    )
    return blocks


def account_line(row: PortfolioAccountRow, today: date) -> str:
    band = _band_and_score(row.effective_band, row.score)
    if row.override_band:
        band += f" (override; computed {row.band or 'none'})"
    stage = f" · {escape_mrkdwn(row.stage)}" if row.stage else ""
    renewal = (
        f" · renews {fmt.day(row.renewal_date)} ({fmt.days_until(row.renewal_date, today)})"
        if row.renewal_date
        else ""
    )
    return (
        f"*{escape_mrkdwn(row.name)}* — {band} · {fmt.money(row.arr, row.currency)}{stage}{renewal}"
    )


def build_account_list_blocks(view: AccountListView) -> Blocks:
    blocks: Blocks = [title(view.heading)]
    page = view.accounts
    if page.total == 0:
        blocks += paragraph(view.empty_text)
        return blocks
    blocks += paragraph(
        f"{view.scope_label[:1].upper() + view.scope_label[1:]}: "
        f"*{fmt.plural(page.total, 'account')}*, "
        f"*{totals_text(view.totals)}* ARR."
    )
    blocks += bullets(
        f"Riskiest first ({_slice(page)})", [account_line(r, view.today) for r in page.items]
    )
    return blocks


def band_count_text(bands: BandCounts) -> str:
    parts = [f"{fmt.band_label(b)} {bands.counts.get(b, 0)}" for b in BAND_ORDER]
    if bands.unscored:
        parts.append(f"⚪ not scored {bands.unscored}")
    return " · ".join(parts)


def build_arr_blocks(view: ArrView) -> Blocks:
    blocks: Blocks = [title("ARR")]
    count = accounts_in(view.totals)
    blocks += paragraph(
        f"Total ARR for {view.scope_label}: *{totals_text(view.totals)}* "
        f"across {fmt.plural(count, 'active account')}."
    )
    blocks += facts(
        [
            (
                "ARR at risk",
                f"{totals_text(view.at_risk)} ({fmt.plural(accounts_in(view.at_risk), 'account')})",
            ),
            ("Accounts by band", band_count_text(view.bands)),
        ]
    )
    return blocks


def mover_line(row: MoverRow) -> str:
    return (
        f"*{escape_mrkdwn(row.name)}* {fmt.score(row.score_before)} → "
        f"{fmt.score(row.score_now)} ({fmt.signed(row.delta)}) · {fmt.band_label(row.band_now)}"
    )


def build_portfolio_health_blocks(
    view: ArrView, movers: list[MoverRow], then_date: date | None, now_date: date | None
) -> Blocks:
    blocks: Blocks = [title("Portfolio health")]
    blocks += paragraph(
        f"Health of {view.scope_label}: {band_count_text(view.bands)}"
        + (f" (scored {fmt.day(now_date)})." if now_date else ".")
    )
    blocks += facts(
        [
            ("Total ARR", totals_text(view.totals)),
            (
                "ARR at risk",
                f"{totals_text(view.at_risk)} ({fmt.plural(accounts_in(view.at_risk), 'account')})",
            ),
        ]
    )
    if movers and then_date and now_date:
        blocks += bullets(
            f"Biggest moves ({fmt.day(then_date)} → {fmt.day(now_date)})",
            [mover_line(row) for row in movers],
        )
    return blocks


def build_arr_at_risk_blocks(
    view: ArrView, at_risk: Page[PortfolioAccountRow], today: date
) -> Blocks:
    blocks: Blocks = [title("ARR at risk")]
    share = ""
    if len(view.totals) == 1 and len(view.at_risk) == 1 and view.totals[0].amount:
        share = f" ({fmt.percent(float(view.at_risk[0].amount / view.totals[0].amount))} of total)"
    blocks += paragraph(
        f"*{totals_text(view.at_risk)}*{share} ARR at risk for {view.scope_label}: "
        f"{fmt.plural(accounts_in(view.at_risk), 'account')} red or in the at-risk stage, "
        f"out of {totals_text(view.totals)} total."
    )
    if at_risk.items:
        blocks += bullets(
            f"Largest first by band ({_slice(at_risk)})",
            [account_line(r, today) for r in at_risk.items],
        )
    return blocks


def band_change_line(row: BandChangeRow) -> str:
    owner = f" · {escape_mrkdwn(row.csm_name)}" if row.csm_name else ""
    return (
        f"*{escape_mrkdwn(row.name)}* — {fmt.band_label(row.band_before)} → "
        f"{fmt.band_label(row.band_now)} ({fmt.score(row.score_before)} → "
        f"{fmt.score(row.score_now)}) · {fmt.money(row.arr, row.currency)}{owner}"
    )


def build_band_changes_blocks(view: BandChangesView) -> Blocks:
    blocks: Blocks = [title("Band changes this week")]
    if view.now_date is None or view.then_date is None:
        blocks += paragraph("Not enough health history yet to compare two weeks.")
        return blocks
    page = view.changes
    span = f"{fmt.day(view.then_date)} → {fmt.day(view.now_date)}"
    if page.total == 0:
        blocks += paragraph(f"No account changed band for {view.scope_label} ({span}).")
        return blocks
    blocks += paragraph(
        f"*{fmt.plural(page.total, 'account')}* changed band for {view.scope_label} ({span})."
    )
    blocks += bullets(
        f"Worst moves first ({_slice(page)})", [band_change_line(r) for r in page.items]
    )
    return blocks


def build_portfolio_tickets_blocks(view: PortfolioTicketsView) -> Blocks:
    blocks: Blocks = [title("Open tickets")]
    page = view.accounts
    if page.total == 0:
        blocks += paragraph(f"No open tickets for {view.scope_label}.")
        return blocks
    lines = [
        f"*{escape_mrkdwn(name)}* — {fmt.plural(open_count, 'open ticket')}"
        + (f" ({urgent} urgent)" if urgent else "")
        for _id, name, open_count, urgent in page.items
    ]
    blocks += paragraph(
        f"*{fmt.plural(page.total, 'account')}* with open tickets for {view.scope_label}."
    )
    blocks += bullets(f"Most urgent first ({_slice(page)})", lines)
    return blocks


def build_portfolio_nps_blocks(view: PortfolioNpsView) -> Blocks:
    blocks: Blocks = [title("NPS")]
    summary = view.summary
    if summary.responses == 0 or summary.average is None:
        blocks += paragraph(f"No NPS responses for {view.scope_label} since {fmt.day(view.since)}.")
        return blocks
    blocks += paragraph(
        f"NPS for {view.scope_label} since {fmt.day(view.since)}: *{fmt.nps(summary.nps)}* "
        f"from {fmt.plural(summary.responses, 'response')} (average score {summary.average:.1f})."
    )
    blocks += facts(
        [
            ("Promoters (9–10)", str(summary.promoters)),
            ("Passives (7–8)", str(summary.passives)),
            ("Detractors (0–6)", str(summary.detractors)),
        ]
    )
    return blocks


def build_portfolio_ctas_blocks(view: PortfolioCtasView) -> Blocks:
    blocks: Blocks = [title("Open CTAs")]
    page = view.ctas
    if page.total == 0:
        blocks += paragraph(f"No open CTAs for {view.scope_label}.")
        return blocks
    blocks += paragraph(f"*{fmt.plural(page.total, 'open CTA')}* for {view.scope_label}.")
    blocks += bullets(
        f"Most urgent first ({_slice(page)})",
        [cta_line(c, view.today, with_account=True) for c in page.items],
    )
    return blocks
