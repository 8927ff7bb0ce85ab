"""Reading the room before drafting: what the customer is worried about, worst first.

A renewal email that opens cheerfully to a customer who asked how to cancel costs more
trust than no email at all. Before a draft is written, the facts pack is read for
concerns, in this order (the first one decides how an email opens):

1. churn intent: an open ticket that says the customer may leave (the explicit phrases
   of :func:`knowledge.churn_intent.match_churn_phrase`, the same ones the stored
   per-ticket signal starts from);
2. a failed or overdue invoice;
3. a detractor NPS answer (0-6) as the latest survey response;
4. red health (internal: it shapes the tone, it is never mentioned to the customer).

Each concern carries a one-line internal description built only from pack values
(ids, dates), so the summary and the LLM prompt can state it and still pass grounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.db.facts import InvoiceRow, TicketRow
from bot.services.drafting.fact_format import format_date
from bot.services.drafting.facts import FactsPack
from knowledge.churn_intent import match_churn_phrase

ConcernKind = Literal["churn_intent", "problem_invoice", "detractor_nps", "red_health"]
DETRACTOR_MAX_SCORE = 6
# Concerns the customer knows about (their own ticket, bill, survey) and an email may name.
CUSTOMER_VISIBLE: frozenset[ConcernKind] = frozenset(
    {"churn_intent", "problem_invoice", "detractor_nps"}
)


@dataclass(frozen=True, slots=True)
class Concern:
    kind: ConcernKind
    text: str  # internal, one sentence, grounded in the pack
    ticket: TicketRow | None = None
    invoice: InvoiceRow | None = None

    @property
    def customer_visible(self) -> bool:
        return self.kind in CUSTOMER_VISIBLE


@dataclass(frozen=True, slots=True)
class Room:
    """The concerns in one facts pack, most serious first."""

    concerns: tuple[Concern, ...]

    def __bool__(self) -> bool:
        return bool(self.concerns)

    def first(self, kind: ConcernKind) -> Concern | None:
        return next((concern for concern in self.concerns if concern.kind == kind), None)

    @property
    def churn_ticket(self) -> TicketRow | None:
        concern = self.first("churn_intent")
        return concern.ticket if concern else None

    @property
    def lead(self) -> Concern | None:
        """The concern an email opens with: the most serious one the customer knows of."""
        return next((concern for concern in self.concerns if concern.customer_visible), None)

    @property
    def no_upsell(self) -> bool:
        """Any concern at all: no cheerful growth pitch, no "the value you have seen"."""
        return bool(self.concerns)


def read_the_room(pack: FactsPack) -> Room:
    """The concerns the pack shows, ordered churn intent > invoice > detractor > red health."""
    concerns: list[Concern] = []
    for ticket in pack.open_tickets:
        if match_churn_phrase(f"{ticket.subject or ''}\n{ticket.description or ''}"):
            concerns.append(
                Concern(
                    "churn_intent",
                    f"Churn intent: open ticket {ticket.ticket_id}, opened on "
                    f"{format_date(ticket.created_at.date())}, says the customer may leave.",
                    ticket=ticket,
                )
            )
    for invoice in pack.problem_invoices:
        concerns.append(
            Concern(
                "problem_invoice",
                f"Unpaid: invoice {invoice.invoice_id}, issued on "
                f"{format_date(invoice.issued_at)}, is {invoice.status}.",
                invoice=invoice,
            )
        )
    score, when = pack.latest_nps_score, pack.latest_nps_on
    if score is not None and when is not None and score <= DETRACTOR_MAX_SCORE:
        concerns.append(
            Concern(
                "detractor_nps",
                f"Detractor: the latest NPS answer was {score}/10 on {format_date(when)}.",
            )
        )
    if pack.health is not None and pack.health.band == "red":
        concerns.append(
            Concern(
                "red_health",
                f"Health is red as of {format_date(pack.health.as_of)}.",
            )
        )
    return Room(tuple(concerns))
