"""Tiny hand-built stores for job tests: each test adds exactly the rows its rule needs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.db.models import Account
from tests.support import factories

NOW = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)  # a Wednesday afternoon, outside quiet hours
TODAY = NOW.date()

NEGATIVE_USAGE_DRIVER = {
    "text": "active users down 42% vs the prior 30 days",
    "component": "usage",
    "measure": "active_users_trend",
    "direction": "negative",
    "value": -0.42,
}


def add_team(session: Session) -> None:
    """A manager (U_MGR) with two CSMs (U_ANA, U_BEN), an admin and an outsider CSM."""
    for csm_id, name, slack_user_id, role, manager_id in [
        ("mgr", "Maya Manager", "U_MGR", "manager", None),
        ("ana", "Ana CSM", "U_ANA", "csm", "mgr"),
        ("ben", "Ben CSM", "U_BEN", "csm", "mgr"),
        ("adm", "Ada Admin", "U_ADM", "admin", None),
        ("out", "Otto Other", "U_OUT", "csm", None),
        ("nos", "No Slack", None, "csm", "mgr"),
    ]:
        factories.add_csm(
            session,
            csm_id,
            name=name,
            slack_user_id=slack_user_id,
            role=role,
            manager_id=manager_id,
        )
    session.flush()


def add_account(
    session: Session,
    account_id: str,
    *,
    csm_id: str | None = "ana",
    arr: float = 50_000,
    seats: int | None = 100,
    since: date | None = date(2024, 1, 1),
    name: str | None = None,
) -> Account:
    account = factories.add_account(
        session,
        account_id,
        name=name or f"{account_id.title()} Inc",
        csm_id=csm_id,
        arr=arr,
        licensed_seats=seats,
        customer_since=since,
    )
    session.flush()
    return account


def add_health(
    session: Session,
    account_id: str,
    days_ago: int,
    score: float,
    band: str,
    *,
    drivers: list[dict[str, Any]] | None = None,
    expansion: float | None = None,
) -> None:
    factories.add_health(
        session,
        account_id,
        TODAY - timedelta(days=days_ago),
        score=score,
        band=band,
        drivers=drivers or [dict(NEGATIVE_USAGE_DRIVER)],
        expansion=expansion,
    )
    session.flush()


def add_usage(
    session: Session,
    account_id: str,
    *,
    days: int,
    events: int,
    logins: int = 5,
    active_users: int = 10,
    start_days_ago: int = 1,
) -> None:
    """``days`` consecutive days of usage ending ``start_days_ago`` days before TODAY."""
    factories.add_usage_days(
        session,
        account_id,
        (TODAY - timedelta(days=offset) for offset in range(start_days_ago, start_days_ago + days)),
        events=events,
        logins=logins,
        active_users=active_users,
    )
    session.flush()


def add_nps(session: Session, account_id: str, response_id: str, score: int, days_ago: int) -> None:
    factories.add_nps(
        session,
        response_id,
        account_id,
        score=score,
        responded_at=NOW - timedelta(days=days_ago),
        comment="Support has been slow" if score <= 6 else "Great product",
    )
    session.flush()


def add_ticket(
    session: Session,
    account_id: str,
    ticket_id: str,
    *,
    priority: str = "normal",
    escalated: bool = False,
    status: str = "open",
    days_ago: int = 1,
) -> None:
    factories.add_ticket(
        session,
        ticket_id,
        account_id,
        created_at=NOW - timedelta(days=days_ago),
        priority=priority,
        escalated=escalated,
        status=status,
        subject="Export is broken",
    )
    session.flush()


def add_invoice(
    session: Session,
    account_id: str,
    invoice_id: str,
    *,
    status: str,
    due_days_ago: int = 10,
    paid: bool = False,
) -> None:
    factories.add_invoice(
        session,
        invoice_id,
        account_id,
        issued_at=TODAY - timedelta(days=due_days_ago + 30),
        amount="12000",
        due_at=TODAY - timedelta(days=due_days_ago),
        paid_at=TODAY if paid else None,
        status=status,
    )
    session.flush()


def add_champion(
    session: Session,
    account_id: str,
    contact_id: str,
    *,
    active: bool = True,
    contacted_days_ago: int = 5,
) -> None:
    factories.add_contact(
        session,
        contact_id,
        account_id,
        name=f"Champion {contact_id}",
        is_champion=True,
        is_active=active,
        last_contacted_at=NOW - timedelta(days=contacted_days_ago),
    )
    session.flush()


def add_contract(
    session: Session, account_id: str, contract_id: str, *, ends_in_days: int, arr: float = 80_000
) -> None:
    factories.add_contract(
        session,
        contract_id,
        account_id,
        start=TODAY - timedelta(days=365 - ends_in_days),
        end=TODAY + timedelta(days=ends_in_days),
        arr=arr,
    )
    session.flush()


def add_interaction(
    session: Session, account_id: str, interaction_id: str, days_ago: int, **fields: Any
) -> None:
    factories.add_interaction(
        session, interaction_id, account_id, occurred_at=NOW - timedelta(days=days_ago), **fields
    )
    session.flush()
