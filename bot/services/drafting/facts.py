"""The facts pack: everything a draft about one account may say, each fact sourced and dated.

A draft (LLM or template) may only state what is in its pack, and the grounding check
reads claims against it, so the pack is the single definition of "true" for drafting.
Each fact is one whole sentence built from store values (never from model output),
with the table it came from, the date the data is as of, and a priority that decides
what survives when a prompt must be trimmed to its token budget.

Customer-written text (ticket bodies, NPS comments, meeting notes) rides along in
``Fact.quoted``: it is evidence to read, never a source of numbers or instructions.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.db import facts as facts_db
from bot.db.facts import CtaRow, InvoiceRow, TicketRow, UsageSummary
from bot.db.queries.accounts import account_record
from bot.db.queries.freshness import source_freshness
from bot.db.queries.health import active_override, latest_snapshot, snapshot_on_or_before
from bot.db.queries.records import AccountRecord, ContactRecord, ContractRecord, HealthSnapshot
from bot.db.queries.renewals import next_renewal
from bot.db.queries.scope import AccountScope
from bot.db.session import unit_of_work
from bot.errors import AccountNotFound
from bot.services import Services
from bot.services.drafting.sentences import (
    BACKGROUND,
    ESSENTIAL,
    HIGH,
    LOW,
    MAX_PLAYBOOK_STEPS,
    MEDIUM,
    Fact,
    FactWriter,
    PlaybookStepFact,
)

__all__ = [
    "BACKGROUND",
    "ESSENTIAL",
    "HIGH",
    "LOW",
    "MEDIUM",
    "Fact",
    "FactsPack",
    "PlaybookStepFact",
    "build_facts_pack",
    "resolve_account_id",
]

logger = logging.getLogger(__name__)

# A pending contract (signed, not started) is the live one for a renewal email too.
LIVE_CONTRACT_STATUSES = ("active", "pending")
HEALTH_LOOKBACK_DAYS = (7, 30)


@dataclass(frozen=True, slots=True)
class FactsPack:
    """The facts about one account on one day, plus the structured rows they came from."""

    account: AccountRecord
    today: date
    csm_name: str | None
    facts: tuple[Fact, ...]
    contacts: tuple[ContactRecord, ...] = ()
    health: HealthSnapshot | None = None
    contract: ContractRecord | None = None
    usage: UsageSummary | None = None
    open_tickets: tuple[TicketRow, ...] = ()
    open_ticket_count: int = 0
    invoices: tuple[InvoiceRow, ...] = ()  # failed/overdue ones, then the newest of any status
    ctas: tuple[CtaRow, ...] = ()
    interactions: tuple[facts_db.InteractionRow, ...] = ()
    latest_nps_score: int | None = None
    latest_nps_on: date | None = None
    latest_nps_contact_id: str | None = None
    playbook_steps: tuple[PlaybookStepFact, ...] = ()
    signals: frozenset[str] = field(default_factory=frozenset)

    @property
    def account_id(self) -> str:
        return self.account.account_id

    @property
    def account_name(self) -> str:
        return self.account.name

    def fact(self, key: str) -> Fact | None:
        for candidate in self.facts:
            if candidate.key == key:
                return candidate
        return None

    def facts_in(self, category: str) -> list[Fact]:
        return [candidate for candidate in self.facts if candidate.category == category]

    @property
    def problem_invoices(self) -> list[InvoiceRow]:
        return [invoice for invoice in self.invoices if invoice.is_problem]

    def contact(self, contact_id: str | None) -> ContactRecord | None:
        return next((c for c in self.contacts if c.contact_id == contact_id), None)

    def to_dicts(self) -> list[dict[str, Any]]:
        return [candidate.to_dict() for candidate in self.facts]


# --------------------------------------------------------------------------- resolution
def resolve_account_id(
    services: Services, session: Session, query: str, scope: AccountScope | None = None
) -> str:
    """Turn what a person typed (an id or a name) into one account id they may see.

    Uses the assistant's resolver (ids, names without legal suffixes, prefixes, typos),
    so "draft for acme" finds the same account as "how is acme doing?".

    Raises:
        AccountNotFound: with up to three close names as suggestions.
        AmbiguousAccount: when several names match equally well.
    """
    from bot.services.accounts.names import resolve_one

    text = " ".join(query.split())
    if not text:
        raise AccountNotFound(query)
    scope = scope or AccountScope.everything()
    by_key = account_record(session=session, account_id=text)
    if by_key is not None and scope.allows_csm(by_key.csm_id):
        return by_key.account_id  # buttons and scripts pass exact ids: skip the name index
    return resolve_one(services.account_names, session, query, scope).account_id


# --------------------------------------------------------------------------- building
def build_facts_pack(
    services: Services,
    account_query: str,
    *,
    today: date | None = None,
    scope: AccountScope | None = None,
) -> FactsPack:
    """Gather every fact a draft about the account may use.

    Args:
        services: the store to read.
        account_query: an account id or name (resolved like the assistant does).
        today: the day the pack is about; defaults to today in the configured time zone.
        scope: the accounts the requester may see (everything when omitted: the CLI).

    Raises:
        AccountNotFound, AmbiguousAccount: when the account cannot be resolved.
    """
    day = today or datetime.now(services.settings.tz).date()
    with unit_of_work(services.session_factory) as session:
        account_id = resolve_account_id(services, session, account_query, scope)
        return _build(services, session, account_id, day)


def _build(services: Services, session: Session, account_id: str, today: date) -> FactsPack:
    account = account_record(session=session, account_id=account_id)
    if account is None:  # resolved a moment ago; deleted since
        raise AccountNotFound(account_id)
    loads = source_freshness(session=session)
    health = _health_history(session, account_id)
    override = active_override(session=session, account_id=account_id, today=today)
    contract = next_renewal(
        session=session, account_id=account_id, today=today, statuses=LIVE_CONTRACT_STATUSES
    )
    usage = facts_db.usage_summary(session=session, account_id=account_id, today=today)
    tickets = facts_db.open_ticket_rows(session=session, account_id=account_id)
    open_count = facts_db.open_ticket_count(session=session, account_id=account_id)
    counts = facts_db.ticket_trend(session=session, account_id=account_id, today=today)
    themes = facts_db.account_theme_rows(session=session, account_id=account_id)
    contacts = facts_db.contact_rows(session=session, account_id=account_id)
    interactions = facts_db.recent_interaction_rows(session=session, account_id=account_id)
    last_qbr = facts_db.last_business_review_at(session=session, account_id=account_id)
    ctas = facts_db.open_cta_rows(session=session, account_id=account_id)
    nps = facts_db.recent_nps_rows(session=session, account_id=account_id)
    invoices = facts_db.invoice_rows(session=session, account_id=account_id)
    opportunities = facts_db.open_opportunity_rows(session=session, account_id=account_id)

    writer = FactWriter(loads, account.currency)
    by_contact = {contact.contact_id: contact for contact in contacts}
    writer.account(account)
    latest = health[0] if health else None
    if latest is not None:
        writer.health(health, override)
    writer.renewal(account, contract, today)
    if usage is not None:
        writer.usage(usage, account.licensed_seats)
    writer.support(tickets, open_count, counts, themes)
    writer.nps(nps, by_contact)
    writer.contacts(contacts)
    writer.interactions(interactions, last_qbr, by_contact)
    writer.invoices(invoices)
    writer.opportunities(opportunities)
    writer.ctas(ctas)

    signals = _account_signals(
        account=account,
        today=today,
        health=health,
        contract=contract,
        usage=usage,
        open_tickets=tickets,
        counts=counts,
        nps_score=nps[0].score if nps else None,
        contacts=contacts,
        invoices=sum(1 for invoice in invoices if invoice.is_problem),
        last_qbr=last_qbr,
    )
    steps = _playbook_steps(services, [cta.playbook_id for cta in ctas], signals)
    writer.playbooks(steps)

    return FactsPack(
        account=account,
        today=today,
        csm_name=account.csm_name,
        facts=tuple(writer.facts),
        contacts=tuple(contacts),
        health=latest,
        contract=contract,
        usage=usage,
        open_tickets=tuple(tickets),
        open_ticket_count=open_count,
        invoices=tuple(invoices),
        ctas=tuple(ctas),
        interactions=tuple(interactions),
        latest_nps_score=nps[0].score if nps else None,
        latest_nps_on=nps[0].responded_at.date() if nps else None,
        latest_nps_contact_id=nps[0].contact_id if nps else None,
        playbook_steps=tuple(steps),
        signals=signals,
    )


def _health_history(session: Session, account_id: str) -> list[HealthSnapshot]:
    """The latest snapshot, then the newest ones 7 and 30 days before it (when they exist)."""
    latest = latest_snapshot(session=session, account_id=account_id)
    if latest is None:
        return []
    earlier = (
        snapshot_on_or_before(
            session=session, account_id=account_id, day=latest.as_of - timedelta(days=days)
        )
        for days in HEALTH_LOOKBACK_DAYS
    )
    return [latest, *(row for row in earlier if row is not None)]


# --------------------------------------------------------------------------- signals
def _account_signals(
    *,
    account: AccountRecord,
    today: date,
    health: list[HealthSnapshot],
    contract: ContractRecord | None,
    usage: UsageSummary | None,
    open_tickets: list[TicketRow],
    counts: facts_db.TicketTrend,
    nps_score: int | None,
    contacts: list[ContactRecord],
    invoices: int,
    last_qbr: datetime | None,
) -> frozenset[str]:
    """The knowledge layer's named signals, when that layer is installed."""
    try:
        from knowledge.signals import AccountFacts, derive_account_signals
    except ImportError:
        return frozenset()
    latest = health[0] if health else None
    month_ago = next((row for row in health[1:] if (latest.as_of - row.as_of).days >= 30), None)
    decision_contacts = [
        contact.last_contacted_at
        for contact in contacts
        if contact.is_decision_maker and contact.last_contacted_at is not None
    ]
    facts = AccountFacts(
        days_as_customer=(today - account.customer_since).days if account.customer_since else None,
        days_since_last_login=(
            (today - usage.last_login_date).days if usage and usage.last_login_date else None
        ),
        active_users_recent=usage.recent_avg_active_users if usage else None,
        active_users_prior=usage.prior_avg_active_users if usage else None,
        licensed_seats=account.licensed_seats,
        peak_active_users_recent=usage.recent_peak_active_users if usage else None,
        health_band=latest.band if latest else None,
        health_score=latest.score if latest else None,
        health_score_30d_ago=month_ago.score if month_ago else None,
        days_to_contract_end=(contract.end_date - today).days if contract else None,
        latest_nps_score=nps_score,
        open_urgent_tickets=sum(
            1 for ticket in open_tickets if ticket.priority == "urgent" or ticket.escalated
        ),
        tickets_recent=counts.recent,
        tickets_prior=counts.prior,
        negative_ticket_share_recent=(
            counts.recent_negative / counts.recent_with_sentiment
            if counts.recent_with_sentiment
            else None
        ),
        failed_or_overdue_invoices=invoices,
        active_champions=sum(1 for c in contacts if c.is_active and c.is_champion),
        days_since_decision_maker_contact=(
            (today - max(decision_contacts).date()).days if decision_contacts else None
        ),
        days_since_business_review=(today - last_qbr.date()).days if last_qbr else None,
    )
    return derive_account_signals(facts)


# --------------------------------------------------------------------------- playbooks
def _playbook_steps(
    services: Services, cta_playbook_ids: list[str], signals: frozenset[str]
) -> list[PlaybookStepFact]:
    """Steps of the playbooks that apply: those open CTAs name, then those signals match.

    Matching by the account's named signals (not by embedding similarity) keeps the
    pack free of the embedding model: a draft must not wait for torch to load.
    """
    catalog = _playbook_catalog(services)
    if not catalog:
        return []
    chosen: list[str] = [pid for pid in dict.fromkeys(cta_playbook_ids) if pid in catalog]
    if signals:
        ranked = sorted(
            (
                (len(signals & set(playbook.signals)), playbook.id)
                for playbook in catalog.values()
                if signals & set(playbook.signals)
            ),
            key=lambda item: (-item[0], item[1]),
        )
        chosen.extend(pid for _, pid in ranked if pid not in chosen)
    steps: list[PlaybookStepFact] = []
    for position, playbook_id in enumerate(chosen[:2]):
        playbook = catalog[playbook_id]
        for step in playbook.steps[: MAX_PLAYBOOK_STEPS if position == 0 else 1]:
            steps.append(
                PlaybookStepFact(
                    playbook_id=playbook.id,
                    playbook_title=playbook.title,
                    number=step.number,
                    text=step.text,
                    timing=step.timing,
                    owner=step.owner,
                    channel=step.channel,
                )
            )
    return steps


def _playbook_catalog(services: Services) -> Mapping[str, Any]:
    """Built-in plus team playbooks through the knowledge layer (no model is loaded).

    The catalog is parsed once per process by ``Services.knowledge``. Without the
    knowledge layer, or with a broken team folder, drafts go without playbook steps.
    """
    try:
        from bot.services.corpus.playbooks import playbook_catalog
    except ImportError:
        return {}
    try:
        return playbook_catalog(services)
    except Exception:  # noqa: BLE001 - a bad catalog must not stop drafting
        logger.exception("playbook catalog failed to load; drafting without playbook steps")
        return {}
