"""The views the one-account answers render: plain values the service gathered.

A view is what a builder needs and nothing more, so builders never reach into the
store and a service can be tested by the view it fills.
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
    Page,
    TicketCounts,
    TicketRecord,
    UsageWindow,
)
from bot.db.queries.usage import SeatUse


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
