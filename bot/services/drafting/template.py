"""Deterministic drafts from the facts pack: the drafter when no LLM is configured or answers.

Every figure, date and name a template writes is formatted by the same helpers the
facts pack uses, from the same rows, so template drafts pass the grounding check by
construction (a test runs it over every demo account). Customer-facing emails use only
customer-appropriate facts (dates, usage, their own tickets and feedback); health
scores, churn risk, CTAs and playbooks stay in the internal account summary.

Drafts read the room first (:mod:`bot.services.drafting.room_reading`): an email opens with the
customer's most serious concern (a ticket saying they may leave, an unpaid invoice, a
low survey score) and offers a call instead of a cheerful pitch, and the summary leads
with its risks. Counts go through ``plural``/``agree`` and articles through
``with_article`` so "1 open ticket … it is" and "an enterprise customer" read right.

This module assembles the drafts (greeting, body, sign-off; the summary's sections);
the per-purpose email bodies are in ``template_purposes``.
"""

from __future__ import annotations

from bot.services.drafting.facts import FactsPack
from bot.services.drafting.room_reading import Concern, read_the_room
from bot.services.drafting.template_purposes import (
    _EMAIL_WRITERS,
    _drivers_by_direction,
    _fact_texts,
)
from bot.services.drafting.types import DraftText, Purpose, Recipient, Tone

_GREETING = {"friendly": "Hi {first},", "formal": "Dear {full},", "urgent": "Hi {first},"}
_CLOSING = {"friendly": "Best,", "formal": "Kind regards,", "urgent": "Thank you,"}
_URGENT_LINE = "This is time-sensitive, so I would appreciate a reply as soon as you can."
_TEAM_SIGNATURE = "Your Customer Success team"


def template_email(
    pack: FactsPack, *, purpose: Purpose, tone: Tone, to: Recipient | None
) -> DraftText:
    """An email for ``purpose`` in ``tone``, addressed to ``to`` (or the account's team)."""
    writer = _EMAIL_WRITERS[purpose]
    subject, paragraphs = writer(pack, read_the_room(pack))
    if tone == "urgent":
        paragraphs.append(_URGENT_LINE)
    greeting = (
        _GREETING[tone].format(first=to.first_name, full=to.name)
        if to is not None
        else _GREETING[tone].format(
            first=f"{pack.account_name} team", full=f"{pack.account_name} team"
        )
    )
    signature = pack.csm_name or _TEAM_SIGNATURE
    body = "\n\n".join([greeting, *paragraphs, f"{_CLOSING[tone]}\n{signature}"])
    return DraftText(subject=subject, body=body)


def template_summary(pack: FactsPack) -> DraftText:
    """An internal account brief: situation, risks, opportunities, next steps.

    When the room shows concerns, the brief leads with its risks, the concerns first
    (churn intent, unpaid invoices, a detractor score, red health), so the reader sees
    what could lose the account before the account's profile.
    """
    room = read_the_room(pack)
    lead: list[str] = []
    for concern in room.concerns:
        lead += _concern_lines(pack, concern)
    situation = _fact_texts(
        pack,
        [
            "account.profile",
            "account.csm",
            "health.score",
            "health.override",
            "health.change_7d",
            "health.change_30d",
            "renewal.date",
            "renewal.arr",
            "usage.active_users",
            "usage.seats",
            "tickets.summary",
            "nps.1",
        ],
    )
    situation += [
        fact.text
        for fact in pack.facts_in("contacts")
        if fact.key != "contacts.no_champion" and fact.priority == 1
    ]
    risks, opportunities = _drivers_by_direction(pack)
    risks += _fact_texts(
        pack, [f"invoice.{invoice.invoice_id}" for invoice in pack.problem_invoices]
    )
    risks += _fact_texts(pack, ["contacts.no_champion"])
    risks += [fact.text for fact in pack.facts_in("contacts") if "no longer active" in fact.text]
    risks += [
        fact.text
        for fact in pack.facts_in("tickets")
        if fact.key.startswith("ticket.") and ("urgent" in fact.text or "escalated" in fact.text)
    ]
    risks += [fact.text for fact in pack.facts_in("themes")[:1]]
    risks = _unique(lead + risks)
    situation = [line for line in situation if line not in risks]
    opportunities += [fact.text for fact in pack.facts_in("opportunities")]
    opportunities += _fact_texts(pack, ["health.expansion"])
    if pack.latest_nps_score is not None and pack.latest_nps_score >= 9:
        opportunities += _fact_texts(pack, ["nps.1"])
    next_steps = [fact.text for fact in pack.facts_in("ctas")]
    next_steps += [fact.text for fact in pack.facts_in("playbooks")]

    situation_section = ("Situation", situation, "No data on record for this account.")
    risks_section = ("Risks", risks, "No risk signals in the data.")
    sections = [
        *((risks_section, situation_section) if room else (situation_section, risks_section)),
        ("Opportunities", opportunities, "No expansion signals in the data."),
        ("Next steps", next_steps, "No open calls to action or matching playbook steps."),
    ]
    body = "\n\n".join(
        f"*{title}*\n" + "\n".join(f"• {line}" for line in (lines or [empty]))
        for title, lines, empty in sections
    )
    return DraftText(subject=f"Account brief: {pack.account_name}", body=body)


def _concern_lines(pack: FactsPack, concern: Concern) -> list[str]:
    """A concern as the summary states it: the pack's own fact where there is one."""
    if concern.kind == "churn_intent":
        return [concern.text]
    if concern.kind == "problem_invoice" and concern.invoice is not None:
        return _fact_texts(pack, [f"invoice.{concern.invoice.invoice_id}"])
    if concern.kind == "detractor_nps":
        return _fact_texts(pack, ["nps.1"])
    return _fact_texts(pack, ["health.score"])


def _unique(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(lines))
