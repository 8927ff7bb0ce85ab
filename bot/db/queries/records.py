"""Frozen result records the query functions return.

Plain values only (no ORM objects), so answers, Block builders and the drafting
facts pack can use them without a session and without lazy loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

ItemT = TypeVar("ItemT")


@dataclass(frozen=True, slots=True)
class Page(Generic[ItemT]):
    """One page of a longer list, with the totals the whole list has."""

    items: list[ItemT]
    total: int
    page: int
    page_size: int

    @property
    def has_more(self) -> bool:
        return (self.page + 1) * self.page_size < self.total

    @property
    def first_index(self) -> int:
        return self.page * self.page_size


@dataclass(frozen=True, slots=True)
class CsmRecord:
    csm_id: str
    name: str
    role: str
    slack_user_id: str | None
    manager_id: str | None
    team: str | None


@dataclass(frozen=True, slots=True)
class AccountName:
    """What fuzzy name resolution needs about every account."""

    account_id: str
    name: str
    csm_id: str | None
    status: str
    domain: str | None = None  # "atlasinsurance.com" finds the account too


@dataclass(frozen=True, slots=True)
class AccountRecord:
    account_id: str
    name: str
    csm_id: str | None
    csm_name: str | None
    csm_slack_user_id: str | None
    segment: str | None
    industry: str | None
    arr: Decimal | None
    currency: str
    licensed_seats: int | None
    status: str
    customer_since: date | None
    churned_at: date | None = None
    churn_reason: str | None = None
    domain: str | None = None


@dataclass(frozen=True, slots=True)
class HealthSnapshot:
    """One ``health_scores`` row in the agreed shape (see the team brief)."""

    account_id: str
    as_of: date
    score: float
    band: str
    computed_band: str
    components: dict[str, Any]
    drivers: list[dict[str, Any]]
    missing_components: list[str]
    churn_risk: float | None
    expansion: float | None
    stage: str | None
    config_version: str


@dataclass(frozen=True, slots=True)
class HealthOverrideRecord:
    account_id: str
    band: str
    reason: str
    until: date
    created_by: str


@dataclass(frozen=True, slots=True)
class ContractRecord:
    contract_id: str
    account_id: str
    start_date: date
    end_date: date
    arr: Decimal
    status: str
    auto_renew: bool | None


@dataclass(frozen=True, slots=True)
class UsageWindow:
    """Usage totals over one date window (both ends included)."""

    start: date
    end: date
    days_with_data: int
    avg_active_users: float | None
    logins: int
    events: int
    session_minutes: float
    avg_features_used: float | None


@dataclass(frozen=True, slots=True)
class TicketRecord:
    ticket_id: str
    account_id: str
    created_at: datetime
    resolved_at: datetime | None
    status: str | None
    priority: str | None
    category: str | None
    subject: str | None
    escalated: bool | None
    csat: int | None


@dataclass(frozen=True, slots=True)
class TicketCounts:
    open: int
    urgent_open: int
    escalated_open: int
    created_last_30_days: int


@dataclass(frozen=True, slots=True)
class ChurnIntentTicket:
    """A ticket whose stored churn intent is detected (``reason``: the phrase, or classifier)."""

    ticket_id: str
    created_at: datetime
    subject: str | None
    reason: str | None
    status: str | None


@dataclass(frozen=True, slots=True)
class ContactRecord:
    contact_id: str
    name: str
    email: str | None
    title: str | None
    is_champion: bool
    is_decision_maker: bool
    is_active: bool
    last_contacted_at: datetime | None


@dataclass(frozen=True, slots=True)
class InteractionRecord:
    interaction_id: str
    occurred_at: datetime
    type: str
    summary: str | None
    contact_name: str | None


@dataclass(frozen=True, slots=True)
class NpsRecord:
    response_id: str
    responded_at: datetime
    score: int
    comment: str | None
    contact_name: str | None


@dataclass(frozen=True, slots=True)
class NpsSummary:
    """Survey results: the latest response plus averages over all responses."""

    latest: NpsRecord | None
    responses: int
    average: float | None
    promoters: int
    passives: int
    detractors: int

    @property
    def nps(self) -> float | None:
        """Net Promoter Score: % promoters minus % detractors (−100..100)."""
        if not self.responses:
            return None
        return 100.0 * (self.promoters - self.detractors) / self.responses


@dataclass(frozen=True, slots=True)
class MoneyTotal:
    """A sum of money in one currency (accounts may bill in different currencies)."""

    currency: str
    amount: Decimal
    accounts: int


@dataclass(frozen=True, slots=True)
class PortfolioAccountRow:
    """An account in a list: its latest health on the portfolio's scoring date."""

    account_id: str
    name: str
    csm_id: str | None
    csm_name: str | None
    arr: Decimal | None
    currency: str
    band: str | None
    score: float | None
    stage: str | None
    override_band: str | None = None
    renewal_date: date | None = None

    @property
    def effective_band(self) -> str | None:
        return self.override_band or self.band


@dataclass(frozen=True, slots=True)
class RenewalRow:
    contract_id: str
    account_id: str
    account_name: str
    csm_name: str | None
    end_date: date
    arr: Decimal
    currency: str
    auto_renew: bool | None
    band: str | None
    score: float | None


@dataclass(frozen=True, slots=True)
class RenewalsInWindow:
    """One page of renewals in a date window, and the ARR renewing in all of it."""

    page: Page[RenewalRow]
    totals: list[MoneyTotal]


@dataclass(frozen=True, slots=True)
class BandChangeRow:
    account_id: str
    name: str
    csm_name: str | None
    band_before: str
    band_now: str
    score_before: float
    score_now: float
    arr: Decimal | None
    currency: str


@dataclass(frozen=True, slots=True)
class MoverRow:
    account_id: str
    name: str
    score_before: float
    score_now: float
    band_now: str

    @property
    def delta(self) -> float:
        return self.score_now - self.score_before


@dataclass(frozen=True, slots=True)
class CtaRecord:
    cta_id: int
    account_id: str
    account_name: str
    type: str
    priority: str
    playbook_id: str
    reason: str
    status: str
    due_date: date | None
    owner_csm_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SourceFreshness:
    source: str
    last_loaded_at: datetime
    data_as_of: datetime | None
    rows_loaded: int

    @property
    def as_of(self) -> datetime:
        """When the data itself is from: its newest record, never later than the load.

        Some sources' newest dates lie ahead (contract end dates), and data cannot be
        newer than the moment it was loaded; without a date, the load time stands in.
        """
        if self.data_as_of is None:
            return self.last_loaded_at
        return min(self.data_as_of, self.last_loaded_at)


@dataclass(frozen=True, slots=True)
class PortfolioSummary:
    """One pass over a book: ARR totals, ARR at risk and accounts per band."""

    totals: list[MoneyTotal]
    at_risk: list[MoneyTotal]
    bands: BandCounts
    # ARR totals per shown band, for "my red/yellow/green accounts".
    by_band: dict[str, list[MoneyTotal]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BandCounts:
    """Accounts per effective band on the scoring date, plus the unscored ones."""

    counts: dict[str, int] = field(default_factory=dict)
    unscored: int = 0
    scored_on: date | None = None
