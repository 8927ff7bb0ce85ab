"""The template email body for each purpose, and the sentences they share.

One writer per purpose (renewal, risk, expansion, check-in, NPS follow-up,
escalation) returns a subject and the body lines; ``template`` adds the greeting,
the room-reading opening choice and the sign-off around them. The shared sentences
(usage, tickets, fact texts, drivers) use the facts pack's own wording; their
underscore names are shared with ``template`` only.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.db.facts import TicketRow
from bot.services.drafting.fact_format import (
    agree,
    format_count,
    format_date,
    format_money,
    format_percent,
    plural,
    round_half_up,
)
from bot.services.drafting.facts import FactsPack
from bot.services.drafting.room_reading import Room
from bot.services.drafting.sentences import invoice_state
from bot.services.drafting.types import Purpose

# --------------------------------------------------------------------------- purposes
_CONCERN_CALL = (
    "Could we find time for a call this week? I'd like to understand your concerns, "
    "answer your questions and agree with you on what would need to change."
)


def _renewal(pack: FactsPack, room: Room) -> tuple[str, list[str]]:
    paragraphs = _concern_opening(pack, room)
    contract = pack.contract
    churn = room.churn_ticket is not None
    if contract is not None and contract.end_date >= pack.today:
        days = (contract.end_date - pack.today).days
        subject = f"Your {pack.account_name} renewal on {format_date(contract.end_date)}"
        if churn:
            paragraphs.append(
                f"Your current contract ends on {format_date(contract.end_date)}, "
                f"{plural(days, 'day')} from today, so there is time to talk this through "
                "properly before any decision."
            )
        else:
            paragraphs.append(
                "I'm reaching out ahead of your renewal: your current contract ends on "
                f"{format_date(contract.end_date)}, {plural(days, 'day')} from today."
            )
    elif contract is not None:
        subject = f"Your {pack.account_name} renewal"
        paragraphs.append(
            f"Your contract reached its end date on {format_date(contract.end_date)}, and I "
            "want to make sure the renewal is settled without any disruption for your team."
        )
    else:
        subject = f"Planning your {pack.account_name} renewal"
        if not churn:
            paragraphs.append("I'm reaching out to start planning your renewal together.")
    if churn:
        subject = f"Your {pack.account_name} contract and your recent request"
    usage = None if room.no_upsell else _usage_sentence(pack, only_if_not_down=True)
    if usage:
        paragraphs.append(usage)
    if churn:
        paragraphs.append(_CONCERN_CALL)
    elif room.no_upsell:
        paragraphs.append(
            "I'd like to set up a renewal conversation to hear how the product is working for "
            "your team and what would need to change for the next term. Would you have time "
            "for a call in the coming weeks?"
        )
    else:
        paragraphs.append(
            "I'd like to set up a renewal conversation to review the value your team has seen "
            "and your goals for the next term. Would you have time for a short call in the "
            "coming weeks?"
        )
    others = _other_open_tickets(pack, room)
    if others:
        tickets = plural(others, "open support ticket")
        if room.churn_ticket is not None:
            tickets = plural(others, "other open support ticket")
        paragraphs.append(
            f"I also see {tickets} on your account, and I want to make sure "
            f"{agree(others, 'it is', 'they are')} resolved well before then."
        )
    return subject, paragraphs


def _risk(pack: FactsPack, room: Room) -> tuple[str, list[str]]:
    paragraphs = _concern_opening(pack, room) or [
        "I wanted to reach out personally to hear how things are going for your team."
    ]
    usage = _usage_sentence(pack)
    if usage:
        paragraphs.append(usage)
    if pack.open_tickets and room.churn_ticket is None:
        paragraphs.append(_tickets_sentence(pack))
    paragraphs.append(
        _CONCERN_CALL
        if room.lead is not None
        else "I'd like to understand what has changed on your side and how we can help. "
        "Could we find time for a call this week?"
    )
    return f"Checking in on how things are going at {pack.account_name}", paragraphs


def _expansion(pack: FactsPack, room: Room) -> tuple[str, list[str]]:
    if room.no_upsell:
        # Never pitch growth to a customer who is unhappy, unpaid or thinking of leaving.
        paragraphs = _concern_opening(pack, room) or [
            "I wanted to reach out personally to hear how things are going for your team."
        ]
        paragraphs.append(
            _CONCERN_CALL
            if room.lead is not None
            else "I'd like to understand how the product is working for your team today and "
            "where we can help. Could we find time for a call in the coming weeks?"
        )
        return f"Checking in on how things are going at {pack.account_name}", paragraphs
    paragraphs = ["Thank you for the way your team has been working with us."]
    usage = _usage_sentence(pack)
    if usage:
        paragraphs.append(usage)
    seats = pack.account.licensed_seats
    peak = pack.usage.recent_peak_active_users if pack.usage else None
    if seats and peak is not None:
        paragraphs.append(
            f"At the busiest point of the last 30 days, {peak:,} of your {seats:,} "
            f"licensed seats were in use ({format_percent(peak / seats)})."
        )
    paragraphs.append(
        "I'd love to talk about where else your team could benefit and whether your current "
        "plan still fits the way you work. Would a short call in the coming weeks suit you?"
    )
    return f"Supporting {pack.account_name}'s growth", paragraphs


def _check_in(pack: FactsPack, room: Room) -> tuple[str, list[str]]:
    paragraphs = _concern_opening(pack, room) or [
        "I wanted to check in and see how everything is going."
    ]
    last = next((item for item in pack.interactions if item.type != "note"), None)
    if last is not None:
        noun = {"qbr": "business review"}.get(last.type, last.type)
        paragraphs.append(
            f"It has been a little while since our last {noun} on "
            f"{format_date(last.occurred_at.date())}."
        )
    usage = _usage_sentence(pack)
    if usage:
        paragraphs.append(usage)
    paragraphs.append(
        _CONCERN_CALL
        if room.lead is not None
        else "Is there anything I can help with, or any goals for the coming months that "
        "you'd like to plan together?"
    )
    return f"Checking in from your {pack.account_name} Customer Success team", paragraphs


def _nps_followup(pack: FactsPack, room: Room) -> tuple[str, list[str]]:
    # The survey is this email's subject: only a more serious concern goes before it.
    paragraphs = _concern_opening(pack, room, skip=("detractor_nps",))
    score, when = pack.latest_nps_score, pack.latest_nps_on
    if score is None or when is None:
        paragraphs.append(
            "Thank you for working with us. I'd love to hear how your experience has been "
            "so far and what would make it better."
        )
        return "We'd love your feedback", paragraphs
    paragraphs.append(
        f"Thank you for taking the time to answer our survey on {format_date(when)}; you gave us a "
        f"score of {score}."
    )
    if score <= 6:
        paragraphs.append(
            "I read your feedback carefully, and I'd like to understand what would make the "
            "biggest difference for your team. Could we find time for a short call?"
        )
    elif room.lead is not None:
        paragraphs.append(_CONCERN_CALL)
    elif score >= 9 and not room.no_upsell:
        paragraphs.append(
            "I'm glad the product is working well for your team. Would you be open to "
            "sharing your experience, for example as a reference for other customers?"
        )
    else:
        paragraphs.append(
            "I'd love to hear what would make your experience even better. Is there one "
            "thing we could improve for your team?"
        )
    return "Thank you for your feedback", paragraphs


def _escalation(pack: FactsPack, room: Room) -> tuple[str, list[str]]:
    if not pack.open_tickets:
        return (
            f"Following up on your support experience at {pack.account_name}",
            [
                "I'm following up personally to make sure every support request from your "
                "team is getting the attention it needs. Is there anything open that I "
                "should chase for you?"
            ],
        )
    # A ticket saying they may leave outranks any bug: follow that one up first.
    ticket = room.churn_ticket or pack.open_tickets[0]
    paragraphs = [
        f"I'm aware of ticket {ticket.ticket_id}, opened on "
        f"{format_date(ticket.created_at.date())}{_ticket_flags(ticket)}, and I'm "
        "personally following it up with our support team."
    ]
    if room.churn_ticket is not None:
        paragraphs[0] = (
            f"I'm aware of ticket {ticket.ticket_id}, opened on "
            f"{format_date(ticket.created_at.date())}{_ticket_flags(ticket)}, and I'm "
            "personally following it up: I understand you are reconsidering your plans "
            "with us, and I take that seriously."
        )
    others = pack.open_ticket_count - 1
    if others > 0:
        tickets = plural(others, "other open ticket")
        paragraphs.append(f"I'm also keeping an eye on the {tickets} on your account.")
    paragraphs.append(
        _CONCERN_CALL
        if room.churn_ticket is not None
        else "I will come back to you with a concrete update as soon as I have one. In the "
        "meantime, please reply to this email if anything changes on your side."
    )
    return f"Update on your support ticket {ticket.ticket_id}", paragraphs


_EMAIL_WRITERS: dict[Purpose, Callable[[FactsPack, Room], tuple[str, list[str]]]] = {
    "renewal": _renewal,
    "risk": _risk,
    "expansion": _expansion,
    "check-in": _check_in,
    "nps-followup": _nps_followup,
    "escalation": _escalation,
}


def _concern_opening(pack: FactsPack, room: Room, *, skip: tuple[str, ...] = ()) -> list[str]:
    """The paragraph an email opens with when the customer has raised a concern.

    Only concerns the customer knows of are named (their own ticket, invoice or survey);
    red health only changes the tone. The ticket's text is never quoted: a customer's
    words are evidence, not something to repeat back or take figures from.
    """
    lead = next(
        (c for c in room.concerns if c.customer_visible and c.kind not in skip),
        None,
    )
    if lead is None:
        return []
    if lead.kind == "churn_intent" and lead.ticket is not None:
        return [
            f"I saw your message in ticket {lead.ticket.ticket_id}, opened on "
            f"{format_date(lead.ticket.created_at.date())}, and I want to answer it personally "
            "before anything else. I understand you are reconsidering your plans with us, "
            "and I take that seriously."
        ]
    if lead.kind == "problem_invoice" and lead.invoice is not None:
        invoice = lead.invoice
        return [
            f"First, I noticed that invoice {invoice.invoice_id} for "
            f"{format_money(invoice.amount, pack.account.currency)}, issued on "
            f"{format_date(invoice.issued_at)}, {invoice_state(invoice)}. I'm happy to help "
            "sort this out with our billing team so it doesn't get in your way."
        ]
    if lead.kind == "detractor_nps" and pack.latest_nps_on is not None:
        return [
            f"Thank you for your candid feedback in our survey on "
            f"{format_date(pack.latest_nps_on)}. I read it carefully, and I want to make sure "
            "we act on it."
        ]
    return []


def _other_open_tickets(pack: FactsPack, room: Room) -> int:
    """Open tickets beyond the one the email already opened with."""
    return pack.open_ticket_count - (1 if room.churn_ticket is not None else 0)


# --------------------------------------------------------------------------- sentences
def _usage_sentence(pack: FactsPack, *, only_if_not_down: bool = False) -> str | None:
    usage = pack.usage
    if usage is None or usage.recent_avg_active_users is None:
        return None
    recent, prior = usage.recent_avg_active_users, usage.prior_avg_active_users
    sentence = (
        f"Over the 30 days to {format_date(usage.last_date)}, your team averaged "
        f"{format_count(recent)} "
        f"{agree(round_half_up(recent), 'daily active user', 'daily active users')}"
    )
    if prior:
        change = (recent - prior) / prior
        if round_half_up(abs(change) * 100) == 0:
            sentence += ", about the same as the 30 days before"
        elif change > 0:
            sentence += f", up {format_percent(change)} on the 30 days before"
        else:
            if only_if_not_down:
                return None
            sentence += f", down {format_percent(change)} from {format_count(prior)} before that"
    return sentence + "."


def _tickets_sentence(pack: FactsPack) -> str:
    ticket = pack.open_tickets[0]
    sentence = f"I can see {plural(pack.open_ticket_count, 'open support ticket')} on your account"
    sentence += f", including ticket {ticket.ticket_id}{_ticket_flags(ticket)}"
    return sentence + ", and I'm following up with our support team."


def _ticket_flags(ticket: TicketRow) -> str:
    flags = [
        flag
        for flag in (ticket.priority if ticket.priority in ("urgent", "high") else None,)
        if flag
    ]
    if ticket.escalated:
        flags.append("escalated")
    return f" (marked {' and '.join(flags)})" if flags else ""


def _fact_texts(pack: FactsPack, keys: list[str]) -> list[str]:
    return [fact.text for key in keys if (fact := pack.fact(key)) is not None]


def _drivers_by_direction(pack: FactsPack) -> tuple[list[str], list[str]]:
    """Health driver sentences split into risks (negative) and opportunities (positive)."""
    risks: list[str] = []
    opportunities: list[str] = []
    drivers = pack.health.drivers if pack.health else []
    for index, driver in enumerate(drivers[:4]):
        fact = pack.fact(f"health.driver_{index + 1}")
        if fact is None:
            continue
        target = opportunities if driver.get("direction") == "positive" else risks
        target.append(fact.text)
    return risks, opportunities
