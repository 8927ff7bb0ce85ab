"""The one-account card (overview) and the short fact answers: renewal, NPS and ARR.

Also the account text helpers the other one-account answers share (the escaped
name, open tickets, seats used). Each builder takes a view (plain values the
service gathered from the store) and returns blocks; figures are formatted by
:mod:`bot.slack.formatting` so the same number reads the same everywhere.
"""

from __future__ import annotations

from datetime import date

from bot.db.queries.records import (
    AccountRecord,
    ContactRecord,
    ContractRecord,
    InteractionRecord,
    NpsSummary,
    TicketCounts,
)
from bot.db.queries.usage import SeatUse
from bot.slack import formatting as fmt
from bot.slack.blocks.account_views import AccountOverviewView, HealthView
from bot.slack.blocks.answer import Blocks, bullets, facts, note, paragraph, title
from bot.slack.blocks.draft import build_draft_buttons_block
from bot.slack.blocks.health_answer import (
    driver_lines,
    health_line,
    missing_data_note,
    override_line,
)
from bot.slack.formatting import escape_mrkdwn, truncate


def escaped_name(account: AccountRecord) -> str:
    """The account's name, safe to put in mrkdwn."""
    return escape_mrkdwn(account.name)


def _renewal_text(renewal: ContractRecord | None, today: date) -> str:
    if renewal is None:
        return "no active contract"
    when = fmt.days_until(renewal.end_date, today)
    overdue = " — overdue" if renewal.end_date < today else ""
    return f"{fmt.day(renewal.end_date)} ({when}){overdue}"


def _champion_text(champions: list[ContactRecord]) -> str:
    if not champions:
        return "none recorded"
    best = champions[0]
    label = escape_mrkdwn(best.name)
    if best.title:
        label += f", {escape_mrkdwn(best.title)}"
    if not best.is_active:
        label += " (inactive ⚠️)"
    return label


def _last_touch_text(interaction: InteractionRecord | None, today: date) -> str:
    """The glossary's last touch: the newest logged customer interaction, the record the
    health score's "last interaction … days ago" driver counts from (a contact's CRM
    "last contacted" field is not one: it can disagree with every logged interaction)."""
    if interaction is None:
        return "no interactions recorded"
    moment = interaction.occurred_at
    kind = escape_mrkdwn(interaction.type)
    return f"{kind}, {fmt.day(moment)} ({fmt.days_until(moment.date(), today)})"


def seats_text(seats: SeatUse) -> str:
    return fmt.seats_used_text(seats.avg_active_users, seats.licensed_seats)


def tickets_text(counts: TicketCounts) -> str:
    """Open tickets, with how many are urgent or escalated: "4 (1 urgent)"."""
    extra = []
    if counts.urgent_open:
        extra.append(f"{counts.urgent_open} urgent")
    if counts.escalated_open:
        extra.append(f"{counts.escalated_open} escalated")
    return f"{counts.open}" + (f" ({', '.join(extra)})" if extra else "")


def churn_line(account: AccountRecord) -> str | None:
    """Churned accounts say so first: their last health score is history, not a state."""
    if account.status != "churned":
        return None
    when = f" on {fmt.day(account.churned_at)}" if account.churned_at else ""
    why = f": {escape_mrkdwn(truncate(account.churn_reason, 300))}" if account.churn_reason else ""
    return f"⚫ *Churned*{when}{why}"


def churn_intent_line(view: AccountOverviewView) -> str | None:
    """Tickets that say the customer may leave, named before the health score."""
    if not view.churn_intent_total:
        return None
    count = view.churn_intent_total
    tickets = "ticket" if count == 1 else "tickets"
    shown = "; ".join(
        f"{escape_mrkdwn(ticket.ticket_id)} {fmt.day(ticket.created_at)}"
        + (f" “{escape_mrkdwn(truncate(ticket.subject, 80))}”" if ticket.subject else "")
        for ticket in view.churn_intent
    )
    more = count - len(view.churn_intent)
    tail = f" and {more} more" if more > 0 else ""
    return (
        f"🚩 *Churn intent* in {count} {tickets} (last {view.churn_intent_days} days): "
        f"{shown}{tail}"
    )


def build_account_overview_blocks(view: AccountOverviewView) -> Blocks:
    account = view.account
    blocks: Blocks = [title(account.name)]
    churned = churn_line(account)
    if churned:
        blocks += paragraph(churned)
    intent = churn_intent_line(view)
    if intent:
        blocks += paragraph(intent)
    blocks += paragraph(health_line(view.health))
    override = override_line(view.health)
    if override:
        blocks.append(note(override))
    blocks += facts(
        [
            ("ARR", fmt.money(account.arr, account.currency)),
            ("Renewal", _renewal_text(view.renewal, view.today)),
            ("Open tickets", tickets_text(view.tickets)),
            ("Champion", _champion_text(view.champions)),
            ("Last touch", _last_touch_text(view.last_interaction, view.today)),
            ("CSM", escape_mrkdwn(account.csm_name or "unassigned")),
            *([("Seats used", seats_text(view.seats))] if view.seats else []),
        ]
    )
    snapshot = view.health.snapshot
    if snapshot is not None:
        blocks += bullets("Drivers", driver_lines(snapshot.drivers, limit=3))
    missing = missing_data_note(snapshot)
    if missing:
        blocks.append(missing)
    blocks.append(build_draft_buttons_block(account.account_id))
    return blocks


def build_renewal_date_blocks(
    account: AccountRecord, renewal: ContractRecord | None, health: HealthView, today: date
) -> Blocks:
    blocks: Blocks = [title(f"Renewal: {account.name}")]
    if renewal is None:
        blocks += paragraph(f"*{escaped_name(account)}* has no active contract on record.")
        return blocks
    verb = "renewed" if renewal.end_date < today else "renews"
    overdue = " — the end date has passed and the contract is still active" * (
        renewal.end_date < today
    )
    blocks += paragraph(
        f"*{escaped_name(account)}* {verb} on *{fmt.day(renewal.end_date)}* "
        f"({fmt.days_until(renewal.end_date, today)}){overdue}."
    )
    auto = {True: "yes", False: "no", None: "not recorded"}[renewal.auto_renew]
    band = (
        health.override.band
        if health.override
        else (health.snapshot.band if health.snapshot else None)
    )
    blocks += facts(
        [
            ("Contract ARR", fmt.money(renewal.arr, account.currency)),
            (
                "Contract",
                f"{escape_mrkdwn(renewal.contract_id)} (since {fmt.day(renewal.start_date)})",
            ),
            ("Auto-renew", auto),
            (
                "Health",
                fmt.band_label(band)
                + (f" {fmt.score(health.snapshot.score)}" if health.snapshot else ""),
            ),
        ]
    )
    return blocks


def build_nps_blocks(account: AccountRecord, summary: NpsSummary) -> Blocks:
    blocks: Blocks = [title(f"NPS: {account.name}")]
    if summary.responses == 0 or summary.latest is None:
        blocks += paragraph(f"No NPS responses recorded for *{escaped_name(account)}*.")
        return blocks
    latest = summary.latest
    who = f" from {escape_mrkdwn(latest.contact_name)}" if latest.contact_name else ""
    blocks += paragraph(
        f"Latest score *{latest.score}*{who} on {fmt.day(latest.responded_at)}"
        + (f": “{escape_mrkdwn(truncate(latest.comment, 500))}”" if latest.comment else ".")
    )
    blocks += facts(
        [
            (
                "Average score",
                f"{summary.average:.1f} over {fmt.plural(summary.responses, 'response')}",
            ),
            ("NPS", fmt.nps(summary.nps)),
            (
                "Promoters / passives / detractors",
                f"{summary.promoters} / {summary.passives} / {summary.detractors}",
            ),
        ]
    )
    return blocks


def build_account_arr_blocks(
    account: AccountRecord, renewal: ContractRecord | None, today: date
) -> Blocks:
    blocks: Blocks = [title(f"ARR: {account.name}")]
    blocks += paragraph(
        f"*{escaped_name(account)}* ARR is *{fmt.money(account.arr, account.currency)}*."
    )
    pairs = [("Segment", escape_mrkdwn(account.segment or "not recorded"))]
    if renewal is not None:
        pairs.append(("Active contract ARR", fmt.money(renewal.arr, account.currency)))
        pairs.append(("Renewal", _renewal_text(renewal, today)))
    blocks += facts(pairs)
    return blocks
