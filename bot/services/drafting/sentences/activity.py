"""Sentences about what the customer does: product usage, support tickets, NPS.

Ticket and survey text is the customer's own words; it rides in ``Fact.quoted``,
never in the sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC

from bot.db import facts as facts_db
from bot.db.facts import TicketRow, UsageSummary
from bot.db.queries.records import ContactRecord
from bot.services.drafting.fact_format import (
    format_count,
    format_date,
    format_percent,
    plural,
    round_half_up,
)
from bot.services.drafting.sentences.base import HIGH, LOW, MEDIUM, FactFamily, _as_sentence


class ActivitySentences(FactFamily):
    """Usage, support and NPS."""

    def usage(self, usage: UsageSummary, seats: int | None) -> None:
        as_of = usage.last_date
        recent, prior = usage.recent_avg_active_users, usage.prior_avg_active_users
        if recent is not None:
            sentence = (
                f"Average daily active users were {format_count(recent)} in the 30 days "
                f"to {format_date(as_of)}"
            )
            if prior:
                change = (recent - prior) / prior
                direction = "up" if change > 0 else "down"
                if round_half_up(abs(change) * 100) == 0:
                    sentence += f", flat against the prior 30 days ({format_count(prior)})"
                else:
                    sentence += (
                        f", {direction} {format_percent(change)} from {format_count(prior)} "
                        "in the prior 30 days"
                    )
            self.add(
                "usage.active_users", "usage", sentence + ".", "usage_daily", HIGH, as_of=as_of
            )
        if usage.recent_peak_active_users is not None and seats:
            share = usage.recent_peak_active_users / seats
            self.add(
                "usage.seats",
                "usage",
                f"Peak daily active users in the last 30 days were "
                f"{usage.recent_peak_active_users:,} of {seats:,} licensed seats "
                f"({format_percent(share)}).",
                "usage_daily",
                MEDIUM,
                as_of=as_of,
            )
        if usage.last_login_date is not None:
            self.add(
                "usage.last_login",
                "usage",
                f"The last day with logins was {format_date(usage.last_login_date)}.",
                "usage_daily",
                MEDIUM,
                as_of=as_of,
            )

    def support(
        self,
        tickets: list[TicketRow],
        open_count: int,
        counts: facts_db.TicketTrend,
        themes: list[facts_db.ThemeRow],
    ) -> None:
        self.add(
            "tickets.summary",
            "tickets",
            f"{_open_tickets_clause(open_count)}; {plural(counts.recent, 'ticket')} opened in "
            f"the last 30 days versus {counts.prior:,} in the 30 days before.",
            "tickets",
            HIGH,
        )
        for index, ticket in enumerate(tickets):
            details = [ticket.priority or "no priority"]
            if ticket.escalated:
                details.append("escalated")
            sentence = (
                f"Open ticket {ticket.ticket_id} ({', '.join(details)}) was opened on "
                f"{format_date(ticket.created_at.date())}"
            )
            if ticket.category:
                sentence += f" in category {ticket.category}"
            if ticket.sentiment_label:
                sentence += f"; its sentiment is {ticket.sentiment_label}"
            quoted = " ".join(
                _as_sentence(part) for part in (ticket.subject, ticket.description) if part
            )
            self.add(
                f"ticket.{ticket.ticket_id}",
                "tickets",
                sentence + ".",
                "tickets",
                HIGH if index == 0 else MEDIUM if index < 3 else LOW,
                quoted=quoted or None,
            )
        for index, theme in enumerate(themes):
            sentence = (
                f"Ticket theme “{theme.label}” covers {plural(theme.size, 'ticket')}, "
                f"{format_percent(theme.negative_share)} of them negative"
            )
            if theme.trend is not None and round_half_up(abs(theme.trend) * 100) > 0:
                direction = "up" if theme.trend > 0 else "down"
                sentence += f", {direction} {format_percent(theme.trend)} on the prior 30 days"
            self.add(
                f"theme.{index + 1}",
                "themes",
                sentence + ".",
                "ticket_themes",
                MEDIUM if index == 0 else LOW,
                as_of=theme.computed_at.astimezone(UTC).date(),
            )

    def nps(self, responses: list[facts_db.NpsRow], contacts: Mapping[str, ContactRecord]) -> None:
        for index, response in enumerate(responses):
            who = contacts.get(response.contact_id or "")
            sentence = f"NPS response of {response.score}/10"
            if who is not None:
                sentence += f" from {who.name}"
            sentence += f" on {format_date(response.responded_at.date())}"
            if response.sentiment_label and response.comment:
                sentence += f"; the comment's sentiment is {response.sentiment_label}"
            self.add(
                f"nps.{index + 1}",
                "nps",
                sentence + ".",
                "nps",
                HIGH if index == 0 else LOW,
                quoted=response.comment,
                names=(who.name,) if who else (),
            )


def _open_tickets_clause(count: int) -> str:
    if count == 0:
        return "There are no open tickets"
    return f"There {'is' if count == 1 else 'are'} {plural(count, 'open ticket')}"
