"""Answers about one account: overview, health and what changed, renewal, usage,
tickets, contacts, NPS, ARR and next steps.

Each builder takes a view (plain values the service gathered from the store)
and returns blocks; figures are formatted by :mod:`bot.slack.formatting` so the
same number reads the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.db.queries.records import (
    AccountRecord,
    ChurnIntentTicket,
    ContactRecord,
    ContractRecord,
    CtaRecord,
    HealthOverrideRecord,
    HealthSnapshot,
    InteractionRecord,
    NpsSummary,
    Page,
    TicketCounts,
    TicketRecord,
    UsageWindow,
)
from bot.db.queries.usage import SeatUse
from bot.slack import formatting as fmt
from bot.slack.blocks.answer import Blocks, bullets, facts, note, paragraph, title
from bot.slack.blocks.draft import build_draft_buttons_block
from bot.slack.formatting import escape_mrkdwn, truncate

COMPONENT_LABELS = {
    "usage": "Product usage",
    "relationship": "Relationship",
    "support": "Support",
    "financial": "Financial",
    "survey": "Survey",
}
DRIVER_ICON = {"negative": "🔻", "positive": "🔺"}
MAX_DRIVERS = 5
SUBJECT_LIMIT = 120


# ----------------------------------------------------------------------------- views
@dataclass(frozen=True, slots=True)
class HealthView:
    snapshot: HealthSnapshot | None
    delta_7d: float | None
    delta_30d: float | None
    override: HealthOverrideRecord | None


@dataclass(frozen=True, slots=True)
class AccountOverviewView:
    account: AccountRecord
    health: HealthView
    renewal: ContractRecord | None
    tickets: TicketCounts
    champions: list[ContactRecord]
    last_interaction: InteractionRecord | None
    today: date
    churn_intent: list[ChurnIntentTicket] = field(default_factory=list)
    churn_intent_total: int = 0
    churn_intent_days: int = 90
    seats: SeatUse | None = None


@dataclass(frozen=True, slots=True)
class HealthChangeView:
    account: AccountRecord
    now: HealthSnapshot
    before: HealthSnapshot | None
    requested_days: int


@dataclass(frozen=True, slots=True)
class UsageView:
    account: AccountRecord
    recent: UsageWindow | None
    prior: UsageWindow | None
    seats: SeatUse | None = None


@dataclass(frozen=True, slots=True)
class TicketsView:
    account: AccountRecord
    counts: TicketCounts
    tickets: Page[TicketRecord]
    showing_recent: bool


@dataclass(frozen=True, slots=True)
class ContactsView:
    account: AccountRecord
    champions: list[ContactRecord]
    contacts: Page[ContactRecord]
    last_interaction: InteractionRecord | None


@dataclass(frozen=True, slots=True)
class PlaybookSteps:
    playbook_id: str
    title: str
    steps: list[str]


@dataclass(frozen=True, slots=True)
class NextStepsView:
    account: AccountRecord
    ctas: Page[CtaRecord]
    playbooks: list[PlaybookSteps] = field(default_factory=list)
    suggestions: list[PlaybookSteps] = field(default_factory=list)
    topic: str | None = None
    suggestions_note: str | None = None
    drivers: list[dict[str, Any]] = field(default_factory=list)


# ----------------------------------------------------------------------------- helpers
def _name(account: AccountRecord) -> str:
    return escape_mrkdwn(account.name)


def _health_line(view: HealthView) -> str:
    snapshot = view.snapshot
    if snapshot is None:
        return "⚪ *Not scored yet* — no health snapshot for this account."
    shown_band = view.override.band if view.override else snapshot.band
    parts = [f"{fmt.band_label(shown_band)} · health *{fmt.score(snapshot.score)}*"]
    trend = []
    if view.delta_7d is not None:
        trend.append(f"{fmt.signed(view.delta_7d)} in 7 days")
    if view.delta_30d is not None:
        trend.append(f"{fmt.signed(view.delta_30d)} in 30 days")
    if trend:
        parts.append(f"{_trend_word(view.delta_30d, view.delta_7d)} ({', '.join(trend)})")
    if snapshot.stage:
        parts.append(f"stage {escape_mrkdwn(snapshot.stage)}")
    return " · ".join(parts)


def _trend_word(delta_30d: float | None, delta_7d: float | None) -> str:
    delta = delta_30d if delta_30d is not None else delta_7d
    if delta is None:
        return "→ no history"
    if delta >= 5:
        return "↗ improving"
    if delta <= -5:
        return "↘ declining"
    return "→ stable"


def _override_line(view: HealthView) -> str | None:
    override, snapshot = view.override, view.snapshot
    if override is None:
        return None
    computed = f" (computed: {snapshot.band}, {fmt.score(snapshot.score)})" if snapshot else ""
    return (
        f"Band set to *{override.band}* by {escape_mrkdwn(override.created_by)} until "
        f"{fmt.day(override.until)}{computed}: “{escape_mrkdwn(override.reason)}”"
    )


def driver_lines(drivers: list[dict[str, Any]], limit: int = MAX_DRIVERS) -> list[str]:
    lines = []
    for driver in drivers[:limit]:
        text = str(driver.get("text") or "").strip()
        if text:
            icon = DRIVER_ICON.get(str(driver.get("direction")), "•")
            lines.append(f"{icon} {escape_mrkdwn(text)}")
    return lines


def _missing_note(snapshot: HealthSnapshot | None) -> dict[str, Any] | None:
    if snapshot is None or not snapshot.missing_components:
        return None
    names = ", ".join(COMPONENT_LABELS.get(c, c) for c in snapshot.missing_components)
    return note(f"No data for: {names} — left out of the score and the weights renormalised.")


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


def _tickets_text(counts: TicketCounts) -> str:
    extra = []
    if counts.urgent_open:
        extra.append(f"{counts.urgent_open} urgent")
    if counts.escalated_open:
        extra.append(f"{counts.escalated_open} escalated")
    return f"{counts.open}" + (f" ({', '.join(extra)})" if extra else "")


# ----------------------------------------------------------------------------- builders
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
    blocks += paragraph(_health_line(view.health))
    override = _override_line(view.health)
    if override:
        blocks.append(note(override))
    blocks += facts(
        [
            ("ARR", fmt.money(account.arr, account.currency)),
            ("Renewal", _renewal_text(view.renewal, view.today)),
            ("Open tickets", _tickets_text(view.tickets)),
            ("Champion", _champion_text(view.champions)),
            ("Last touch", _last_touch_text(view.last_interaction, view.today)),
            ("CSM", escape_mrkdwn(account.csm_name or "unassigned")),
            *([("Seats used", seats_text(view.seats))] if view.seats else []),
        ]
    )
    snapshot = view.health.snapshot
    if snapshot is not None:
        blocks += bullets("Drivers", driver_lines(snapshot.drivers, limit=3))
    missing = _missing_note(snapshot)
    if missing:
        blocks.append(missing)
    blocks.append(build_draft_buttons_block(account.account_id))
    return blocks


def build_health_blocks(account: AccountRecord, view: HealthView) -> Blocks:
    blocks: Blocks = [title(f"Health: {account.name}")]
    blocks += paragraph(_health_line(view))
    override = _override_line(view)
    if override:
        blocks.append(note(override))
    snapshot = view.snapshot
    if snapshot is None:
        return blocks
    blocks += bullets("Drivers", driver_lines(snapshot.drivers))
    components = _components(snapshot)
    pairs = [(COMPONENT_LABELS.get(n, n), _component_text(c)) for n, c in components]
    if snapshot.churn_risk is not None:
        pairs.append(("Churn risk", fmt.percent(snapshot.churn_risk)))
    if snapshot.expansion is not None:
        pairs.append(("Expansion propensity", fmt.score(snapshot.expansion)))
    blocks += facts(pairs)
    if any(c.get("points") is not None for _, c in components):
        blocks.append(
            note(
                f"The points add up to the health score ({fmt.score(snapshot.score)}): each "
                "component's score × its weight in this score (the configured weight, raised "
                "for weak components, left out without data)."
            )
        )
    missing = _missing_note(snapshot)
    if missing:
        blocks.append(missing)
    return blocks


def _component_text(component: dict[str, Any]) -> str:
    """``62.0 × 34.2% = 21.2 pts``: the score's own arithmetic, reproducible by hand.

    Snapshots scored before effective weights were stored show the configured weight,
    labelled as such: with a weak-component boost it is not what the score used.
    """
    score = _component_score(component)
    effective, points = component.get("effective_weight"), component.get("points")
    if effective is not None and points is not None:
        return f"{score} × {float(effective) * 100:.1f}% = {float(points):.1f} pts"
    weight = component.get("weight")
    if weight is None or component.get("score") is None:
        return score
    return f"{score} (configured weight {fmt.percent(float(weight))})"


def _components(snapshot: HealthSnapshot) -> list[tuple[str, dict[str, Any]]]:
    order = list(COMPONENT_LABELS)
    items = [(k, v) for k, v in snapshot.components.items() if isinstance(v, dict)]
    return sorted(items, key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))


def _component_score(component: dict[str, Any]) -> str:
    value = component.get("score")
    return "no data" if value is None else fmt.score(float(value))


def component_deltas(
    now: HealthSnapshot, before: HealthSnapshot
) -> list[tuple[str, float | None, float | None]]:
    """(component, score before, score now) for every component, biggest move first."""
    names = list(dict.fromkeys([*now.components, *before.components]))
    rows = []
    for name in names:
        after = (now.components.get(name) or {}).get("score")
        prior = (before.components.get(name) or {}).get("score")
        rows.append(
            (
                name,
                float(prior) if prior is not None else None,
                float(after) if after is not None else None,
            )
        )

    def size(row: tuple[str, float | None, float | None]) -> float:
        _, prior, after = row
        return abs(after - prior) if prior is not None and after is not None else -1.0

    return sorted(rows, key=size, reverse=True)


def build_health_change_blocks(view: HealthChangeView) -> Blocks:
    account, now, before = view.account, view.now, view.before
    blocks: Blocks = [title(f"What changed: {account.name}")]
    if before is None:
        blocks += paragraph(
            f"{fmt.band_label(now.band)} · health *{fmt.score(now.score)}* on "
            f"{fmt.day(now.as_of)}. There is no earlier snapshot to compare with yet."
        )
        blocks += bullets("Drivers now", driver_lines(now.drivers))
        return blocks
    span = (now.as_of - before.as_of).days
    band_move = (
        f"band {before.band} → *{now.band}*" if before.band != now.band else f"band {now.band}"
    )
    blocks += paragraph(
        f"Health {fmt.score(before.score)} → *{fmt.score(now.score)}* "
        f"({fmt.signed(now.score - before.score)}) over {fmt.plural(span, 'day')} "
        f"({fmt.day(before.as_of)} → {fmt.day(now.as_of)}), {band_move}."
    )
    lines = []
    for name, prior, after in component_deltas(now, before):
        label = COMPONENT_LABELS.get(name, name)
        if prior is None and after is None:
            continue
        if prior is None:
            lines.append(f"{label}: no data → {fmt.score(after)}")
        elif after is None:
            lines.append(f"{label}: {fmt.score(prior)} → no data")
        else:
            lines.append(
                f"{label}: {fmt.score(prior)} → {fmt.score(after)} ({fmt.signed(after - prior)})"
            )
    blocks += bullets("By component", lines)
    blocks += bullets("Drivers now", driver_lines(now.drivers))
    earlier = {_driver_key(d) for d in before.drivers}
    new = [d for d in now.drivers if _driver_key(d) not in earlier]
    if new and len(new) < len(now.drivers):
        blocks += bullets("New since then", driver_lines(new))
    if view.requested_days and span > view.requested_days + 3:
        blocks.append(
            note(f"No snapshot {view.requested_days} days back; compared with the nearest one.")
        )
    return blocks


def build_renewal_date_blocks(
    account: AccountRecord, renewal: ContractRecord | None, health: HealthView, today: date
) -> Blocks:
    blocks: Blocks = [title(f"Renewal: {account.name}")]
    if renewal is None:
        blocks += paragraph(f"*{_name(account)}* has no active contract on record.")
        return blocks
    verb = "renewed" if renewal.end_date < today else "renews"
    overdue = " — the end date has passed and the contract is still active" * (
        renewal.end_date < today
    )
    blocks += paragraph(
        f"*{_name(account)}* {verb} on *{fmt.day(renewal.end_date)}* "
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


def _driver_key(driver: dict[str, Any]) -> tuple[str, ...]:
    """What a driver is about, not its wording: "150 of 900 seats active" a week after
    "198 of 900 seats active" is the same seat-utilisation driver, not a new one."""
    measure = driver.get("measure")
    if measure:
        return (str(driver.get("component")), str(measure), str(driver.get("direction")))
    return (str(driver.get("text")),)


def _usage_change(now: float | None, before: float | None) -> str:
    change = fmt.change_fraction(now, before)
    return f" ({fmt.percent(change, signed_value=True)})" if change is not None else ""


def build_usage_blocks(view: UsageView) -> Blocks:
    account, recent, prior = view.account, view.recent, view.prior
    blocks: Blocks = [title(f"Usage: {account.name}")]
    if recent is None or recent.days_with_data == 0:
        blocks += paragraph(f"No usage data recorded for *{_name(account)}*.")
        return blocks
    blocks += paragraph(
        f"Last 30 days ({fmt.day(recent.start)} – {fmt.day(recent.end)}) vs the 30 days before."
    )
    prior_active = prior.avg_active_users if prior and prior.days_with_data else None
    pairs = [
        (
            "Avg daily active users",
            f"{_one(recent.avg_active_users)} vs {_one(prior_active)}"
            + _usage_change(recent.avg_active_users, prior_active),
        ),
        (
            "Logins",
            f"{recent.logins:,} vs {prior.logins if prior else 0:,}"
            + _usage_change(recent.logins, prior.logins if prior else None),
        ),
        (
            "Events",
            f"{recent.events:,} vs {prior.events if prior else 0:,}"
            + _usage_change(recent.events, prior.events if prior else None),
        ),
        (
            "Session minutes",
            f"{recent.session_minutes:,.0f} vs {prior.session_minutes if prior else 0:,.0f}"
            + _usage_change(recent.session_minutes, prior.session_minutes if prior else None),
        ),
    ]
    if view.seats is not None:
        pairs.append(("Seats used (30 days before scoring)", seats_text(view.seats)))
    if recent.avg_features_used is not None:
        pairs.append(("Features used per day", _one(recent.avg_features_used)))
    blocks += facts(pairs)
    if recent.days_with_data < 30:
        blocks.append(
            note(f"Only {fmt.plural(recent.days_with_data, 'day')} of data in the window.")
        )
    return blocks


def _one(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.1f}".rstrip("0").rstrip(".")


def ticket_line(ticket: TicketRecord, today: date) -> str:
    subject = escape_mrkdwn(truncate(ticket.subject or "(no subject)", SUBJECT_LIMIT))
    tags = [t for t in (ticket.priority, ticket.status) if t]
    if ticket.escalated:
        tags.append("escalated")
    opened = fmt.days_until(ticket.created_at.date(), today)
    return f"`{escape_mrkdwn(ticket.ticket_id)}` {subject} — {', '.join(tags)} · opened {opened}"


def build_tickets_blocks(view: TicketsView, today: date) -> Blocks:
    account, counts = view.account, view.counts
    blocks: Blocks = [title(f"Tickets: {account.name}")]
    blocks += facts(
        [
            ("Open", _tickets_text(counts)),
            ("Opened in the last 30 days", str(counts.created_last_30_days)),
        ]
    )
    page = view.tickets
    heading = "Recent tickets (30 days)" if view.showing_recent else "Open tickets"
    if page.total == 0:
        blocks += paragraph(f"No {heading.lower()}.")
        return blocks
    shown = f"{page.first_index + 1}–{page.first_index + len(page.items)} of {page.total}"
    blocks += bullets(f"{heading} ({shown})", [ticket_line(t, today) for t in page.items])
    return blocks


def contact_line(contact: ContactRecord, today: date) -> str:
    tags = []
    if contact.is_champion:
        tags.append("champion")
    if contact.is_decision_maker:
        tags.append("decision maker")
    if not contact.is_active:
        tags.append("inactive")
    title_text = f", {escape_mrkdwn(contact.title)}" if contact.title else ""
    tag_text = f" [{', '.join(tags)}]" if tags else ""
    last = (
        f" · last contacted {fmt.days_until(contact.last_contacted_at.date(), today)}"
        if contact.last_contacted_at
        else " · never contacted"
    )
    email = f" · {escape_mrkdwn(contact.email)}" if contact.email else ""
    return f"*{escape_mrkdwn(contact.name)}*{title_text}{tag_text}{email}{last}"


def build_contacts_blocks(view: ContactsView, today: date) -> Blocks:
    account = view.account
    blocks: Blocks = [title(f"People at {account.name}")]
    if view.champions:
        active = [c for c in view.champions if c.is_active]
        lead = active[0] if active else view.champions[0]
        state = "" if lead.is_active else " — *inactive*, a risk to the relationship"
        blocks += paragraph(f"Champion: {contact_line(lead, today)}{state}")
    else:
        blocks += paragraph(f"No champion recorded for *{_name(account)}*.")
    page = view.contacts
    if page.total:
        shown = f"{page.first_index + 1}–{page.first_index + len(page.items)} of {page.total}"
        blocks += bullets(f"Contacts ({shown})", [contact_line(c, today) for c in page.items])
    if view.last_interaction is not None:
        touch = view.last_interaction
        who = f" with {escape_mrkdwn(touch.contact_name)}" if touch.contact_name else ""
        summary = f": {escape_mrkdwn(truncate(touch.summary, 200))}" if touch.summary else ""
        blocks.append(note(f"Last touch: {touch.type}{who}, {fmt.day(touch.occurred_at)}{summary}"))
    return blocks


def build_nps_blocks(account: AccountRecord, summary: NpsSummary) -> Blocks:
    blocks: Blocks = [title(f"NPS: {account.name}")]
    if summary.responses == 0 or summary.latest is None:
        blocks += paragraph(f"No NPS responses recorded for *{_name(account)}*.")
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
    blocks += paragraph(f"*{_name(account)}* ARR is *{fmt.money(account.arr, account.currency)}*.")
    pairs = [("Segment", escape_mrkdwn(account.segment or "not recorded"))]
    if renewal is not None:
        pairs.append(("Active contract ARR", fmt.money(renewal.arr, account.currency)))
        pairs.append(("Renewal", _renewal_text(renewal, today)))
    blocks += facts(pairs)
    return blocks


def cta_line(cta: CtaRecord, today: date, *, with_account: bool = False) -> str:
    due = f" · due {fmt.days_until(cta.due_date, today)}" if cta.due_date else ""
    account = f"*{escape_mrkdwn(cta.account_name)}* — " if with_account else ""
    return (
        f"{account}*{escape_mrkdwn(cta.priority)}* {escape_mrkdwn(cta.type)}: "
        f"{escape_mrkdwn(truncate(cta.reason, 300))} ({escape_mrkdwn(cta.status)}{due})"
    )


def _playbook_blocks(heading: str, playbooks: list[PlaybookSteps]) -> Blocks:
    blocks: Blocks = []
    for playbook in playbooks:
        lines = [escape_mrkdwn(truncate(step, 300)) for step in playbook.steps]
        blocks += bullets(f"{heading}: {escape_mrkdwn(playbook.title)}", lines)
    return blocks


def build_next_steps_blocks(view: NextStepsView, today: date) -> Blocks:
    account = view.account
    blocks: Blocks = [title(f"Next steps: {account.name}")]
    page = view.ctas
    if page.total:
        shown = f"{page.first_index + 1}–{page.first_index + len(page.items)} of {page.total}"
        blocks += bullets(f"Open CTAs ({shown})", [cta_line(c, today) for c in page.items])
    else:
        blocks += paragraph(f"No open CTAs for *{_name(account)}*.")
    blocks += _playbook_blocks("Playbook", view.playbooks)
    if view.suggestions:
        about = f" for “{escape_mrkdwn(view.topic)}”" if view.topic else ""
        blocks += paragraph(f"*Suggested playbooks{about}:*")
        blocks += _playbook_blocks("Suggested", view.suggestions)
    if not page.total and view.drivers:
        blocks += bullets("What the health score flags", driver_lines(view.drivers, limit=3))
    if not view.topic:
        blocks.append(
            note(
                "For a specific situation, ask “what should I do about <the problem> at "
                f"{_name(account)}?” to get matching playbook steps."
            )
        )
    if view.suggestions_note:
        blocks.append(note(view.suggestions_note))
    return blocks
