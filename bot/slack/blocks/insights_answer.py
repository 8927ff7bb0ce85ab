"""Answers to ranked and operational questions: top N, drops, expansion, invoices, churn…

Each builder takes plain rows from ``bot.db.queries`` and the labels the service
chose; numbers are formatted with :mod:`bot.slack.formatting`, so a figure here reads
exactly like the same figure on the 360 card.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.db.queries.billing import OpenEscalation, ProblemInvoice
from bot.db.queries.rankings import (
    ChurnedAccount,
    CsmBandCount,
    HealthDrop,
    QuietAccount,
    RankedAccount,
)
from bot.db.queries.records import CtaRecord, InteractionRecord, RenewalRow
from bot.slack import formatting as fmt
from bot.slack.blocks.answer import Blocks, bullets, facts, paragraph, title
from bot.slack.formatting import escape_mrkdwn

MEASURE_LABELS = {
    "arr": "ARR",
    "health": "health score",
    "churn_risk": "churn risk",
    "seats_used": "seats used",
    "expansion": "expansion score",
}


def _owner(name: str | None) -> str:
    return f" · {escape_mrkdwn(name)}" if name else ""


def seats_text(row: RankedAccount) -> str:
    used = row.seats_used
    if used is None or not row.licensed_seats:
        return "seats used: no usage data"
    return (
        f"{used:,.1f} of {row.licensed_seats:,} seats used "
        f"({fmt.percent(row.seat_utilisation)}, 30-day average)"
    )


def _ranked_line(row: RankedAccount, measure: str) -> str:
    band = fmt.band_label(row.band)
    if row.score is not None:
        band += f" {fmt.score(row.score)}"
    figure = {
        "arr": fmt.money(row.arr, row.currency),
        "health": f"health {fmt.score(row.score)}",
        "churn_risk": f"churn risk {fmt.percent(row.churn_risk)}",
        "seats_used": seats_text(row),
        "expansion": f"expansion {fmt.score(row.expansion)}",
    }[measure]
    extra = "" if measure == "arr" else f" · {fmt.money(row.arr, row.currency)}"
    return f"*{escape_mrkdwn(row.name)}* — {figure} · {band}{extra}{_owner(row.csm_name)}"


@dataclass(frozen=True, slots=True)
class RankingView:
    scope_label: str
    measure: str
    highest: bool
    rows: list[RankedAccount]
    asked: int


def build_ranking_blocks(view: RankingView) -> Blocks:
    label = MEASURE_LABELS[view.measure]
    end = "Top" if view.highest else "Bottom"
    blocks: Blocks = [title(f"{end} {view.asked} by {label}")]
    if not view.rows:
        return blocks + paragraph(f"No accounts with a {label} for {view.scope_label}.")
    order = "highest" if view.highest else "lowest"
    blocks += paragraph(f"Active accounts for {view.scope_label}, {order} {label} first.")
    return blocks + bullets(None, [_ranked_line(r, view.measure) for r in view.rows])


def _signal_text(row: RankedAccount) -> str:
    signals = row.signals
    parts = [seats_text(row)]
    trend = signals.get("active_users_trend")
    if trend is not None:
        parts.append(f"active users {fmt.percent(trend, signed_value=True)} (30 days)")
    adoption = signals.get("feature_adoption")
    if adoption is not None:
        parts.append(f"{adoption:,.1f} features used")
    nps = signals.get("nps_latest")
    if nps is not None:
        parts.append(f"latest NPS {nps:.0f}")
    if row.score is not None:
        parts.append(f"health {fmt.score(row.score)}")
    return " · ".join(parts)


@dataclass(frozen=True, slots=True)
class ExpansionView:
    scope_label: str
    rows: list[RankedAccount]
    scored_on: date | None


def build_expansion_blocks(view: ExpansionView) -> Blocks:
    blocks: Blocks = [title("Expansion opportunities")]
    if not view.rows:
        return blocks + paragraph(f"No scored accounts for {view.scope_label}.")
    blocks += paragraph(
        f"Highest expansion score (0–100) for {view.scope_label}"
        + (f", scored {fmt.day(view.scored_on)}" if view.scored_on else "")
        + ". Drivers: seat use, active-user growth, feature adoption, NPS and health."
    )
    lines = [
        f"*{escape_mrkdwn(r.name)}* — expansion {fmt.score(r.expansion)} · "
        f"{fmt.money(r.arr, r.currency)}{_owner(r.csm_name)}\n    {_signal_text(r)}"
        for r in view.rows
    ]
    return blocks + bullets(None, lines)


def build_account_expansion_blocks(
    name: str, row: RankedAccount | None, scored_on: date | None
) -> Blocks:
    blocks: Blocks = [title(f"{name}: expansion")]
    if row is None:
        return blocks + paragraph(
            f"{escape_mrkdwn(name)} has no expansion score on the latest scoring run."
        )
    blocks += facts(
        [
            ("Expansion score", f"{fmt.score(row.expansion)} of 100"),
            ("ARR", fmt.money(row.arr, row.currency)),
            ("Scored", fmt.day(scored_on) if scored_on else "not scored"),
        ]
    )
    return blocks + paragraph(f"*Drivers:* {_signal_text(row)}")


@dataclass(frozen=True, slots=True)
class DropsView:
    scope_label: str
    rows: list[HealthDrop]
    then_date: date | None
    now_date: date | None
    period_label: str


def build_drops_blocks(view: DropsView) -> Blocks:
    blocks: Blocks = [title(f"Biggest health drops: {view.period_label}")]
    if view.then_date is None or view.now_date is None:
        return blocks + paragraph(
            f"There are not two scoring runs to compare for {view.scope_label} yet."
        )
    span = f"{fmt.day(view.then_date)} → {fmt.day(view.now_date)}"
    if not view.rows:
        return blocks + paragraph(f"No health score fell for {view.scope_label} ({span}).")
    blocks += paragraph(f"Largest falls in health score for {view.scope_label}, {span}.")
    lines = [
        f"*{escape_mrkdwn(r.name)}* — {fmt.score(r.score_before)} → {fmt.score(r.score_now)} "
        f"({fmt.signed(r.delta)}) · {fmt.band_label(r.band_now)} · "
        f"{fmt.money(r.arr, r.currency)}{_owner(r.csm_name)}"
        for r in view.rows
    ]
    return blocks + bullets(None, lines)


def invoice_line(row: ProblemInvoice, today: date, *, with_account: bool) -> str:
    who = f"*{escape_mrkdwn(row.account_name)}* — " if with_account else ""
    late = row.days_overdue(today)
    due = f"due {fmt.day(row.due_at)}" if row.due_at else "no due date"
    if late is not None and late > 0:
        due += f" ({fmt.plural(late, 'day')} overdue)"
    return f"{who}{row.invoice_id} · {fmt.money(row.amount, row.currency)} · {row.status} · {due}"


def build_card_invoice_blocks(rows: Sequence[ProblemInvoice], total: int, today: date) -> Blocks:
    """The 360 card's invoice line: failed or overdue invoices, only when there are any."""
    if not total:
        return []
    shown = "; ".join(invoice_line(r, today, with_account=False) for r in rows)
    more = f" (+{total - len(rows)} more)" if total > len(rows) else ""
    return paragraph(f"*Invoices:* {fmt.plural(total, 'failed or overdue invoice')}: {shown}{more}")


@dataclass(frozen=True, slots=True)
class InvoicesView:
    heading: str
    scope_label: str
    rows: list[ProblemInvoice]
    total: int
    today: date
    with_account: bool


def build_invoices_blocks(view: InvoicesView) -> Blocks:
    blocks: Blocks = [title(view.heading)]
    if not view.total:
        return blocks + paragraph(f"No failed or overdue invoices for {view.scope_label}.")
    blocks += paragraph(
        f"*{fmt.plural(view.total, 'invoice')}* failed or unpaid past due for "
        f"{view.scope_label} (oldest due first)."
    )
    lines = [invoice_line(r, view.today, with_account=view.with_account) for r in view.rows]
    return blocks + bullets(None, lines)


@dataclass(frozen=True, slots=True)
class QuietView:
    scope_label: str
    days: int
    rows: list[QuietAccount]
    total: int
    now: datetime


def build_quiet_blocks(view: QuietView) -> Blocks:
    blocks: Blocks = [title(f"No contact in {fmt.plural(view.days, 'day')}")]
    if not view.total:
        return blocks + paragraph(
            f"Every active account for {view.scope_label} had a customer touch in the last "
            f"{fmt.plural(view.days, 'day')}."
        )
    blocks += paragraph(
        f"*{fmt.plural(view.total, 'account')}* for {view.scope_label} with no call, email, "
        f"meeting or QBR in {fmt.plural(view.days, 'day')} (longest silence first)."
    )
    lines = []
    for r in view.rows:
        if r.last_touch is None:
            when = "never contacted"
        else:
            days = (view.now.date() - r.last_touch.date()).days
            when = f"last touch {fmt.day(r.last_touch)} ({fmt.plural(days, 'day')} ago)"
        lines.append(
            f"*{escape_mrkdwn(r.name)}* — {when} · {fmt.money(r.arr, r.currency)}"
            f"{_owner(r.csm_name)}"
        )
    return blocks + bullets(None, lines)


@dataclass(frozen=True, slots=True)
class ChurnedView:
    scope_label: str
    window_label: str
    start: date
    end: date
    rows: list[ChurnedAccount]
    total: int


def build_churned_blocks(view: ChurnedView) -> Blocks:
    blocks: Blocks = [title(f"Churned accounts: {view.window_label}")]
    window = f"{fmt.day(view.start)} – {fmt.day(view.end)}"
    if not view.total:
        return blocks + paragraph(f"No accounts churned for {view.scope_label} in {window}.")
    blocks += paragraph(
        f"*{fmt.plural(view.total, 'account')}* churned for {view.scope_label} in {window}."
    )
    lines = [
        f"*{escape_mrkdwn(r.name)}* — churned {fmt.day(r.churned_at)} · "
        f"{fmt.money(r.arr, r.currency)} · reason: {escape_mrkdwn(r.reason or 'not recorded')}"
        f"{_owner(r.csm_name)}"
        for r in view.rows
    ]
    return blocks + bullets(None, lines)


@dataclass(frozen=True, slots=True)
class CsmBreakdownView:
    scope_label: str
    band: str
    rows: list[CsmBandCount]


def build_csm_breakdown_blocks(view: CsmBreakdownView) -> Blocks:
    blocks: Blocks = [title(f"{view.band.capitalize()} accounts by CSM")]
    if not view.rows:
        return blocks + paragraph(f"No {view.band} accounts for {view.scope_label}.")
    top = view.rows[0]
    blocks += paragraph(
        f"*{escape_mrkdwn(top.name)}* has the most {view.band} accounts for "
        f"{view.scope_label}: {top.accounts}."
    )
    lines = [
        f"*{escape_mrkdwn(r.name)}* — {fmt.plural(r.accounts, f'{view.band} account')} · "
        f"{fmt.money(r.arr)} ARR"
        for r in view.rows
    ]
    return blocks + bullets(None, lines)


@dataclass(frozen=True, slots=True)
class EscalationsView:
    scope_label: str
    rows: list[OpenEscalation]
    total: int
    now: datetime


def build_escalations_blocks(view: EscalationsView) -> Blocks:
    blocks: Blocks = [title("Open escalations")]
    if not view.total:
        return blocks + paragraph(f"No open escalations for {view.scope_label}.")
    blocks += paragraph(
        f"*{fmt.plural(view.total, 'open escalation')}* for {view.scope_label} "
        "(raised with /escalate; support tickets are separate), SLA soonest first."
    )
    lines = []
    for r in view.rows:
        late = " ⚠️ SLA passed" if r.sla_due_at <= view.now else ""
        risk = f" · {fmt.money(r.arr_at_risk, r.currency)} at risk" if r.arr_at_risk else ""
        lines.append(
            f"*{escape_mrkdwn(r.account_name)}* — #{r.escalation_id} {escape_mrkdwn(r.severity)}"
            f" · {escape_mrkdwn(r.category)} · {r.status} · SLA {fmt.moment(r.sla_due_at)}"
            f"{late}{risk}"
        )
    return blocks + bullets(None, lines)


def build_last_interaction_blocks(
    *, account_name: str, what: str, found: InteractionRecord | None, now: datetime
) -> Blocks:
    """ "Last QBR with Acme", "when did we last talk to Acme"."""
    blocks: Blocks = [title(f"{account_name}: {what}")]
    if found is None:
        return blocks + paragraph(f"No {what.lower()} recorded for {escape_mrkdwn(account_name)}.")
    days = (now.date() - found.occurred_at.date()).days
    with_whom = f" with {escape_mrkdwn(found.contact_name)}" if found.contact_name else ""
    blocks += paragraph(
        f"*{fmt.day(found.occurred_at)}* ({fmt.plural(days, 'day')} ago): "
        f"{escape_mrkdwn(found.type)}{with_whom}."
    )
    if found.summary:
        blocks += paragraph(f"> {escape_mrkdwn(found.summary[:500])}")
    return blocks


@dataclass(frozen=True, slots=True)
class WhoAmIView:
    name: str
    role: str
    slack_user_id: str
    sees: str
    accounts: int


def build_who_am_i_blocks(view: WhoAmIView) -> Blocks:
    return [title("Who you are to csbot")] + facts(
        [
            ("Name", escape_mrkdwn(view.name)),
            ("Role", view.role),
            ("Slack user", view.slack_user_id),
            ("You can see", f"{view.sees} ({fmt.plural(view.accounts, 'active account')})"),
        ]
    )


@dataclass(frozen=True, slots=True)
class WorkItem:
    rank: int
    kind: str  # overdue CTA | renewal | CTA | invoice
    account_name: str
    text: str


@dataclass(frozen=True, slots=True)
class WorkTodayView:
    scope_label: str
    items: list[WorkItem]
    counts: dict[str, int]


def cta_work_text(cta: CtaRecord, today: date) -> str:
    due = ""
    if cta.due_date is not None:
        late = (today - cta.due_date).days
        due = (
            f" · {fmt.plural(late, 'day')} overdue"
            if late > 0
            else f" · due {fmt.day(cta.due_date)}"
        )
    return f"{cta.priority} {escape_mrkdwn(cta.type)}: {escape_mrkdwn(cta.reason)}{due}"


def renewal_work_text(row: RenewalRow, today: date) -> str:
    return (
        f"renews {fmt.day(row.end_date)} ({fmt.days_until(row.end_date, today)}) · "
        f"{fmt.money(row.arr, row.currency)} · {fmt.band_label(row.band)}"
    )


def build_work_today_blocks(view: WorkTodayView) -> Blocks:
    blocks: Blocks = [title("What to work on today")]
    if not view.items:
        return blocks + paragraph(
            f"Nothing pressing for {view.scope_label}: no open CTAs, no renewals in the next "
            "30 days and no overdue follow-ups."
        )
    summary = ", ".join(f"{count} {kind}" for kind, count in view.counts.items() if count)
    blocks += paragraph(
        f"For {view.scope_label}, most urgent first ({summary}): overdue follow-ups, "
        "then urgent and high CTAs, renewals within 30 days, then the rest."
    )
    lines = [
        f"{item.rank}. *{escape_mrkdwn(item.account_name)}* — {item.kind}: {item.text}"
        for item in view.items
    ]
    return blocks + paragraph("\n".join(lines))


@dataclass(frozen=True, slots=True)
class CompareColumn:
    name: str
    values: dict[str, str]


def build_compare_blocks(columns: Sequence[CompareColumn], rows: Sequence[str]) -> Blocks:
    first, second = columns[0], columns[1]
    blocks: Blocks = [title(f"{first.name} vs {second.name}")]
    lines = [
        f"*{label}*: {first.values.get(label, '–')}  |  {second.values.get(label, '–')}"
        for label in rows
    ]
    header = f"*{escape_mrkdwn(first.name)}*  |  *{escape_mrkdwn(second.name)}*"
    return blocks + paragraph(header + "\n" + "\n".join(lines))


def build_unmapped_blocks(said: str, closest: Sequence[str]) -> Blocks:
    """ "I can't answer that yet" and the three nearest questions csbot can answer."""
    blocks = paragraph(
        f"I can't answer that yet: “{escape_mrkdwn(said)}”. "
        "I answer questions about your customers from csbot's data."
    )
    return blocks + bullets("The closest things I can answer", [escape_mrkdwn(q) for q in closest])


def build_csm_not_visible_blocks(name: str) -> Blocks:
    return paragraph(
        f"{escape_mrkdwn(name)}'s book is outside the accounts you can see, so I can't "
        "show it. Ask about your own accounts, or ask their manager."
    )
