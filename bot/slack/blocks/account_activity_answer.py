"""Activity answers for one account: usage against the month before, tickets, and people."""

from __future__ import annotations

from datetime import date

from bot.db.queries.records import ContactRecord, TicketRecord
from bot.slack import formatting as fmt
from bot.slack.blocks.account_answer import escaped_name, seats_text, tickets_text
from bot.slack.blocks.account_views import ContactsView, TicketsView, UsageView
from bot.slack.blocks.answer import Blocks, bullets, facts, note, paragraph, title
from bot.slack.formatting import escape_mrkdwn, truncate

SUBJECT_LIMIT = 120


def _usage_change(now: float | None, before: float | None) -> str:
    change = fmt.change_fraction(now, before)
    return f" ({fmt.percent(change, signed_value=True)})" if change is not None else ""


def build_usage_blocks(view: UsageView) -> Blocks:
    account, recent, prior = view.account, view.recent, view.prior
    blocks: Blocks = [title(f"Usage: {account.name}")]
    if recent is None or recent.days_with_data == 0:
        blocks += paragraph(f"No usage data recorded for *{escaped_name(account)}*.")
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
            ("Open", tickets_text(counts)),
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
        blocks += paragraph(f"No champion recorded for *{escaped_name(account)}*.")
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
