"""Sentences about money and next steps: invoices, opportunities, CTAs, playbooks.

Opportunities, CTAs and playbooks are internal categories: they may shape an email
but are never quoted to the customer.
"""

from __future__ import annotations

from datetime import UTC

from bot.db import facts as facts_db
from bot.db.facts import CtaRow
from bot.services.drafting.fact_format import format_date
from bot.services.drafting.sentences.base import HIGH, LOW, MEDIUM, FactFamily, PlaybookStepFact


class CommercialSentences(FactFamily):
    """Invoices, opportunities, open CTAs and playbook steps."""

    def invoices(self, invoices: list[facts_db.InvoiceRow]) -> None:
        """Every invoice the pack read: problems (risks) and the recent ones of any status.

        Each states its id, amount in the account's currency, issue and due dates and
        status, so a draft that mentions "the June 5 invoice" can be checked.
        """
        for invoice in invoices:
            sentence = (
                f"Invoice {invoice.invoice_id} for {self.money(invoice.amount)}, issued on "
                f"{format_date(invoice.issued_at)}, {invoice_state(invoice)}"
            )
            self.add(
                f"invoice.{invoice.invoice_id}",
                "invoices",
                sentence + ".",
                "invoices",
                HIGH if invoice.is_problem else LOW,
            )

    def opportunities(self, opportunities: list[facts_db.OpportunityRow]) -> None:
        for opportunity in opportunities:
            sentence = f"Open {opportunity.type} opportunity of {self.money(opportunity.amount)}"
            if opportunity.stage:
                sentence += f" at stage {opportunity.stage}"
            if opportunity.close_date:
                sentence += f", expected to close on {format_date(opportunity.close_date)}"
            self.add(
                f"opportunity.{opportunity.opportunity_id}",
                "opportunities",
                sentence + ".",
                "opportunities",
                MEDIUM,
                names=(opportunity.stage or "",),
            )

    def ctas(self, ctas: list[CtaRow]) -> None:
        for cta in ctas:
            reason = cta.reason.strip().rstrip(".")
            sentence = f"Open call to action ({cta.type}, {cta.priority} priority): {reason}"
            if cta.due_date:
                sentence += f"; due {format_date(cta.due_date)}"
            self.add(
                f"cta.{cta.cta_id}",
                "ctas",
                sentence + ".",
                "ctas",
                HIGH,
                as_of=cta.created_at.astimezone(UTC).date(),
            )

    def playbooks(self, steps: list[PlaybookStepFact]) -> None:
        for step in steps:
            text = step.text.strip()
            sentence = f"Playbook “{step.playbook_title}” step {step.number}: {text}" + (
                "" if text.endswith(".") else "."
            )
            detail = "; ".join(
                f"{name} {value}"
                for name, value in (
                    ("timing:", step.timing),
                    ("owner:", step.owner),
                    ("channel:", step.channel),
                )
                if value
            )
            if detail:
                sentence += f" ({detail}.)"
            self.add(
                f"playbook.{step.playbook_id}.{step.number}",
                "playbooks",
                sentence,
                "playbooks",
                LOW if step.number > 1 else MEDIUM,
                as_of=None,
                names=(step.playbook_title, step.owner, step.channel),
            )


def invoice_state(invoice: facts_db.InvoiceRow) -> str:
    """``is overdue (due May 1, 2026)``, ``was paid on June 12, 2026``, ``has a failed payment``."""
    due = f" (due {format_date(invoice.due_at)})" if invoice.due_at else ""
    if invoice.status == "paid":
        paid = f"was paid on {format_date(invoice.paid_at)}" if invoice.paid_at else "is paid"
        return paid + due
    if invoice.status == "failed":
        return f"has a failed payment{due}"
    if invoice.status == "void":
        return f"was voided{due}"
    if invoice.status in ("open", "overdue"):
        return f"is {invoice.status}{due}"
    return f"has status {invoice.status or 'unknown'}{due}"
