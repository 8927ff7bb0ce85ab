"""Fact sentences: how store rows become the facts a draft may rely on.

Each sentence is built from store values with the shared formatters, so the same
figure reads the same wherever it appears and says nothing the row does not.
Customer-written text rides along in ``Fact.quoted``, whole sentences only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from bot.db import facts as facts_db
from bot.db.facts import CtaRow, TicketRow, UsageSummary
from bot.db.queries.records import (
    AccountRecord,
    ContactRecord,
    ContractRecord,
    HealthOverrideRecord,
    HealthSnapshot,
    SourceFreshness,
)
from bot.llm import truncate_at_sentence
from bot.services.drafting.fact_format import (
    change_words,
    format_count,
    format_date,
    format_money,
    format_percent,
    plural,
    round_half_up,
    with_article,
)

# Priorities: 1 is never trimmed before anything else; 5 goes first.
ESSENTIAL, HIGH, MEDIUM, LOW, BACKGROUND = 1, 2, 3, 4, 5
QUOTE_MAX_CHARS = 320
# Facts for the team, not the customer: an email may be shaped by them but never quote them.
INTERNAL_CATEGORIES = frozenset({"health", "ctas", "playbooks", "themes", "opportunities"})
MAX_PLAYBOOK_STEPS = 3
# Segments as people write them: "an SMB customer", not "a smb customer".
_SEGMENT_WORDS = {"smb": "SMB"}


@dataclass(frozen=True, slots=True)
class Fact:
    """One sentence a draft may rely on, with where and when it comes from."""

    key: str
    category: str
    text: str
    source: str
    as_of: date | None
    priority: int
    quoted: str | None = None
    names: tuple[str, ...] = ()

    @property
    def internal(self) -> bool:
        return self.category in INTERNAL_CATEGORIES

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": self.key,
            "category": self.category,
            "text": self.text,
            "source": self.source,
            "as_of": self.as_of.isoformat() if self.as_of else None,
        }
        if self.quoted:
            data["quoted"] = self.quoted
        return data


@dataclass(frozen=True, slots=True)
class PlaybookStepFact:
    playbook_id: str
    playbook_title: str
    number: int
    text: str
    timing: str
    owner: str
    channel: str


class FactWriter:
    """Turns store rows into fact sentences; one method per area of the pack."""

    def __init__(self, loads: Mapping[str, SourceFreshness], currency: str) -> None:
        self.facts: list[Fact] = []
        self._loads = loads
        self._currency = currency

    def _as_of(self, source: str) -> date | None:
        load = self._loads.get(source)
        if load is None:
            return None
        return load.as_of.astimezone(UTC).date()

    def add(
        self,
        key: str,
        category: str,
        text: str,
        source: str,
        priority: int,
        *,
        as_of: date | None = None,
        quoted: str | None = None,
        names: Iterable[str] = (),
    ) -> None:
        self.facts.append(
            Fact(
                key=key,
                category=category,
                text=text,
                source=source,
                as_of=as_of if as_of is not None else self._as_of(source),
                priority=priority,
                quoted=_quote(quoted),
                names=tuple(name for name in names if name),
            )
        )

    def money(self, amount: Decimal) -> str:
        return format_money(amount, self._currency)

    # --- areas ----------------------------------------------------------------------
    def account(self, account: AccountRecord) -> None:
        profile = [f"The account is {account.name}"]
        segment = _SEGMENT_WORDS.get((account.segment or "").lower(), account.segment)
        kind = " ".join(part for part in (segment, account.industry) if part)
        if kind:
            profile.append(with_article(f"{kind} customer"))
        if account.customer_since:
            profile.append(f"a customer since {format_date(account.customer_since)}")
        if account.status != "active":
            profile.append(f"status {account.status}")
        self.add(
            "account.profile",
            "account",
            ", ".join(profile) + ".",
            "accounts",
            ESSENTIAL,
            names=(account.name,),
        )
        if account.csm_name:
            self.add(
                "account.csm",
                "account",
                f"The account's CSM is {account.csm_name}.",
                "csms",
                ESSENTIAL,
                names=(account.csm_name,),
            )
        if account.licensed_seats:
            self.add(
                "account.seats",
                "account",
                f"The account has {plural(account.licensed_seats, 'licensed seat')}.",
                "accounts",
                LOW,
            )

    def health(self, rows: list[HealthSnapshot], override: HealthOverrideRecord | None) -> None:
        latest = rows[0]
        as_of = latest.as_of
        self.add(
            "health.score",
            "health",
            f"Health score is {round_half_up(latest.score)}/100 ({latest.band}) "
            f"as of {format_date(as_of)}.",
            "health_scores",
            ESSENTIAL,
            as_of=as_of,
        )
        if override is not None:
            self.add(
                "health.override",
                "health",
                f"A CSM set the band to {override.band} until {format_date(override.until)} "
                f"(computed band: {latest.computed_band}).",
                "health_overrides",
                HIGH,
                as_of=as_of,
                quoted=override.reason,
            )
        for earlier in rows[1:]:
            days = (as_of - earlier.as_of).days
            delta = latest.score - earlier.score
            self.add(
                f"health.change_{days}d",
                "health",
                f"Health is {change_words(delta, 'point')} over {plural(days, 'day')} "
                f"(from {round_half_up(earlier.score)} on {format_date(earlier.as_of)}).",
                "health_scores",
                HIGH,
                as_of=as_of,
            )
        for index, driver in enumerate(latest.drivers[:4]):
            text = str(driver.get("text") or "").strip()
            if not text:
                continue
            sentence = text[0].upper() + text[1:]
            sentence = sentence if sentence.endswith(".") else sentence + "."
            self.add(
                f"health.driver_{index + 1}",
                "health",
                f"Health driver: {sentence}",
                "health_scores",
                HIGH if index < 2 else MEDIUM,
                as_of=as_of,
            )
        if latest.churn_risk is not None:
            self.add(
                "health.churn_risk",
                "health",
                f"Modelled churn risk is {format_percent(latest.churn_risk)}.",
                "health_scores",
                MEDIUM,
                as_of=as_of,
            )
        if latest.expansion is not None:
            self.add(
                "health.expansion",
                "health",
                f"Expansion propensity is {round_half_up(latest.expansion)}/100.",
                "health_scores",
                MEDIUM,
                as_of=as_of,
            )
        if latest.stage:
            self.add(
                "health.stage",
                "health",
                f"Lifecycle stage is {latest.stage}.",
                "health_scores",
                MEDIUM,
                as_of=as_of,
            )
        if latest.missing_components:
            missing = ", ".join(latest.missing_components)
            self.add(
                "health.missing",
                "health",
                f"The health score leaves out components with no data: {missing}.",
                "health_scores",
                BACKGROUND,
                as_of=as_of,
            )

    def renewal(self, account: AccountRecord, contract: ContractRecord | None, today: date) -> None:
        if contract is not None:
            days = (contract.end_date - today).days
            when = (
                f"in {plural(days, 'day')}"
                if days > 0
                else "today"
                if days == 0
                else f"{plural(-days, 'day')} ago"
            )
            verb = "ends" if days >= 0 else "ended"
            auto = {True: " Auto-renew is on.", False: " Auto-renew is off.", None: ""}
            self.add(
                "renewal.date",
                "renewal",
                f"The current contract {verb} on {format_date(contract.end_date)} ({when})."
                + auto[contract.auto_renew],
                "contracts",
                ESSENTIAL,
            )
            self.add(
                "renewal.arr",
                "renewal",
                f"Contract ARR is {self.money(contract.arr)}.",
                "contracts",
                ESSENTIAL,
            )
        elif account.arr is not None:
            self.add(
                "renewal.arr",
                "renewal",
                f"ARR is {self.money(account.arr)}.",
                "accounts",
                ESSENTIAL,
            )

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

    def contacts(self, contacts: list[ContactRecord]) -> None:
        active = [contact for contact in contacts if contact.is_active]
        champions = [contact for contact in active if contact.is_champion]
        if not champions:
            self.add(
                "contacts.no_champion",
                "contacts",
                "There is no active champion on record.",
                "contacts",
                HIGH,
            )
        shown = 0
        for contact in active:
            roles = [
                role
                for role, holds in (
                    ("champion", contact.is_champion),
                    ("decision maker", contact.is_decision_maker),
                )
                if holds
            ]
            if not roles and shown >= 4:
                continue
            label = " and ".join(roles) if roles else "contact"
            sentence = f"{contact.name} is {with_article(label)}"
            if contact.title:
                sentence += f" ({contact.title})"
            if contact.last_contacted_at is not None:
                sentence += f", last contacted on {format_date(contact.last_contacted_at.date())}"
            self.add(
                f"contact.{contact.contact_id}",
                "contacts",
                sentence + ".",
                "contacts",
                ESSENTIAL if roles else LOW,
                names=(contact.name, contact.title or ""),
            )
            shown += 1
        for contact in contacts:
            if not contact.is_active and (contact.is_champion or contact.is_decision_maker):
                self.add(
                    f"contact.{contact.contact_id}",
                    "contacts",
                    f"{contact.name} is no longer active at the account.",
                    "contacts",
                    MEDIUM,
                    names=(contact.name,),
                )

    def interactions(
        self,
        interactions: list[facts_db.InteractionRow],
        last_qbr: datetime | None,
        contacts: Mapping[str, ContactRecord],
    ) -> None:
        for index, interaction in enumerate(interactions):
            who = contacts.get(interaction.contact_id or "")
            sentence = f"Recent interaction: {interaction.type} on "
            sentence += format_date(interaction.occurred_at.date())
            if who is not None:
                sentence += f" with {who.name}"
            self.add(
                f"interaction.{interaction.interaction_id}",
                "interactions",
                sentence + ".",
                "interactions",
                MEDIUM if index == 0 else LOW,
                quoted=interaction.summary,
                names=(who.name,) if who else (),
            )
        if last_qbr is not None:
            self.add(
                "interactions.last_qbr",
                "interactions",
                f"The last business review (QBR) was on {format_date(last_qbr.date())}.",
                "interactions",
                LOW,
            )

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


def _open_tickets_clause(count: int) -> str:
    if count == 0:
        return "There are no open tickets"
    return f"There {'is' if count == 1 else 'are'} {plural(count, 'open ticket')}"


def _as_sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _quote(text: str | None) -> str | None:
    if not text or not text.strip():
        return None
    shortened = truncate_at_sentence(text, QUOTE_MAX_CHARS)
    return shortened or None
