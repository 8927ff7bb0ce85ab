"""Account signals: the named facts about an account that make a playbook apply.

Playbook files list the signals they answer in their ``signals`` field; retrieval
boosts a playbook when the account in question shows one of them. The vocabulary is
closed so a typo in a playbook file is an error, not a silently dead boost.
Deriving signals from facts is pure so it is unit-testable without a database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

ACCOUNT_SIGNALS: dict[str, str] = {
    "new_customer": "customer for less than 90 days",
    "low_usage": "no logins for 21+ days or active users down 50%+ vs the prior 30 days",
    "unused_seats": "fewer than half of the licensed seats active",
    "health_red": "latest health band is red",
    "health_drop": "health score down 15+ points in 30 days",
    "renewal_due": "an active contract ends within 120 days",
    "usage_growth": "active users up 50%+ vs the prior 30 days",
    "seats_full": "seat utilisation above 90%",
    "nps_detractor": "latest NPS response (last 180 days) scored 0-6",
    "nps_promoter": "latest NPS response (last 180 days) scored 9-10",
    "urgent_tickets": "an open urgent or escalated ticket",
    "ticket_spike": "tickets in the last 30 days at least double the prior 30 days",
    "negative_tickets": "most tickets in the last 30 days have negative sentiment",
    "payment_failed": "a failed or overdue invoice",
    "champion_left": "no active champion contact",
    "no_exec_contact": "no decision maker contacted in 90 days",
    "cancel_intent": "explicit intent to cancel, downgrade or switch",
    "qbr_due": "no business review (QBR) in the last 180 days",
}


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """Plain numbers about one account, gathered from the store by ``bot.db``.

    ``None`` means unknown (no data), which never triggers a signal.
    """

    days_as_customer: int | None = None
    days_since_last_login: int | None = None
    active_users_recent: float | None = None
    active_users_prior: float | None = None
    licensed_seats: int | None = None
    peak_active_users_recent: int | None = None
    health_band: str | None = None
    health_score: float | None = None
    health_score_30d_ago: float | None = None
    days_to_contract_end: int | None = None
    latest_nps_score: int | None = None
    open_urgent_tickets: int = 0
    tickets_recent: int = 0
    tickets_prior: int = 0
    negative_ticket_share_recent: float | None = None
    failed_or_overdue_invoices: int = 0
    active_champions: int | None = None
    days_since_decision_maker_contact: int | None = None
    days_since_business_review: int | None = None


def derive_account_signals(facts: AccountFacts) -> frozenset[str]:
    """Turn facts into the signal names of :data:`ACCOUNT_SIGNALS` that hold."""
    signals: set[str] = set()
    if facts.days_as_customer is not None and facts.days_as_customer < 90:
        signals.add("new_customer")
    recent, prior = facts.active_users_recent, facts.active_users_prior
    if (facts.days_since_last_login is not None and facts.days_since_last_login > 21) or (
        recent is not None and prior and recent <= 0.5 * prior
    ):
        signals.add("low_usage")
    if recent is not None and prior and recent >= 1.5 * prior:
        signals.add("usage_growth")
    seats, peak = facts.licensed_seats, facts.peak_active_users_recent
    if seats and peak is not None:
        if peak / seats > 0.9:
            signals.add("seats_full")
        elif peak / seats < 0.5:
            signals.add("unused_seats")
    if facts.health_band == "red":
        signals.add("health_red")
    if (
        facts.health_score is not None
        and facts.health_score_30d_ago is not None
        and facts.health_score_30d_ago - facts.health_score >= 15
    ):
        signals.add("health_drop")
    if facts.days_to_contract_end is not None and 0 <= facts.days_to_contract_end <= 120:
        signals.add("renewal_due")
    if facts.latest_nps_score is not None:
        if facts.latest_nps_score <= 6:
            signals.add("nps_detractor")
        elif facts.latest_nps_score >= 9:
            signals.add("nps_promoter")
    if facts.open_urgent_tickets > 0:
        signals.add("urgent_tickets")
    if facts.tickets_recent >= 4 and facts.tickets_recent >= 2 * max(facts.tickets_prior, 1):
        signals.add("ticket_spike")
    if facts.negative_ticket_share_recent is not None and facts.negative_ticket_share_recent > 0.5:
        signals.add("negative_tickets")
    if facts.failed_or_overdue_invoices > 0:
        signals.add("payment_failed")
    if facts.active_champions == 0:
        signals.add("champion_left")
    if (
        facts.days_since_decision_maker_contact is not None
        and facts.days_since_decision_maker_contact > 90
    ):
        signals.add("no_exec_contact")
    if facts.days_since_business_review is not None and facts.days_since_business_review > 180:
        signals.add("qbr_due")
    return frozenset(signals)


def unknown_signals(names: Mapping[str, object] | list[str] | tuple[str, ...]) -> list[str]:
    """Names that are not in the vocabulary (for validation messages)."""
    return [name for name in names if name not in ACCOUNT_SIGNALS]
