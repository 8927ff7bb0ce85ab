"""Tiny hand-built stores for job tests: each test adds exactly the rows its rule needs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from bot.db.models import (
    Account,
    Contact,
    Contract,
    Csm,
    HealthScore,
    Interaction,
    Invoice,
    NpsResponse,
    Ticket,
    UsageDaily,
)

NOW = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)  # a Wednesday afternoon, outside quiet hours
TODAY = NOW.date()


def add_team(session: Session) -> None:
    """A manager (U_MGR) with two CSMs (U_ANA, U_BEN), an admin and an outsider CSM."""
    session.add_all(
        [
            Csm(csm_id="mgr", name="Maya Manager", slack_user_id="U_MGR", role="manager"),
            Csm(csm_id="ana", name="Ana CSM", slack_user_id="U_ANA", manager_id="mgr"),
            Csm(csm_id="ben", name="Ben CSM", slack_user_id="U_BEN", manager_id="mgr"),
            Csm(csm_id="adm", name="Ada Admin", slack_user_id="U_ADM", role="admin"),
            Csm(csm_id="out", name="Otto Other", slack_user_id="U_OUT"),
            Csm(csm_id="nos", name="No Slack", slack_user_id=None, manager_id="mgr"),
        ]
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
    account = Account(
        account_id=account_id,
        name=name or f"{account_id.title()} Inc",
        csm_id=csm_id,
        arr=Decimal(str(arr)),
        licensed_seats=seats,
        customer_since=since,
        status="active",
    )
    session.add(account)
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
    session.add(
        HealthScore(
            account_id=account_id,
            as_of=TODAY - timedelta(days=days_ago),
            score=score,
            band=band,
            computed_band=band,
            components={},
            drivers=drivers
            or [
                {
                    "text": "active users down 42% vs the prior 30 days",
                    "component": "usage",
                    "measure": "active_users_trend",
                    "direction": "negative",
                    "value": -0.42,
                }
            ],
            missing_components=[],
            expansion=expansion,
            config_version="test",
        )
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
    for offset in range(start_days_ago, start_days_ago + days):
        session.add(
            UsageDaily(
                account_id=account_id,
                date=TODAY - timedelta(days=offset),
                events=events,
                logins=logins,
                active_users=active_users,
            )
        )
    session.flush()


def add_nps(session: Session, account_id: str, response_id: str, score: int, days_ago: int) -> None:
    session.add(
        NpsResponse(
            response_id=response_id,
            account_id=account_id,
            score=score,
            responded_at=NOW - timedelta(days=days_ago),
            comment="Support has been slow" if score <= 6 else "Great product",
        )
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
    session.add(
        Ticket(
            ticket_id=ticket_id,
            account_id=account_id,
            created_at=NOW - timedelta(days=days_ago),
            priority=priority,
            escalated=escalated,
            status=status,
            subject="Export is broken",
        )
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
    session.add(
        Invoice(
            invoice_id=invoice_id,
            account_id=account_id,
            issued_at=TODAY - timedelta(days=due_days_ago + 30),
            amount=Decimal("12000"),
            due_at=TODAY - timedelta(days=due_days_ago),
            paid_at=TODAY if paid else None,
            status=status,
        )
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
    session.add(
        Contact(
            contact_id=contact_id,
            account_id=account_id,
            name=f"Champion {contact_id}",
            is_champion=True,
            is_active=active,
            last_contacted_at=NOW - timedelta(days=contacted_days_ago),
        )
    )
    session.flush()


def add_contract(
    session: Session, account_id: str, contract_id: str, *, ends_in_days: int, arr: float = 80_000
) -> None:
    session.add(
        Contract(
            contract_id=contract_id,
            account_id=account_id,
            start_date=TODAY - timedelta(days=365 - ends_in_days),
            end_date=TODAY + timedelta(days=ends_in_days),
            arr=Decimal(str(arr)),
            status="active",
        )
    )
    session.flush()


def add_interaction(session: Session, account_id: str, interaction_id: str, days_ago: int) -> None:
    session.add(
        Interaction(
            interaction_id=interaction_id,
            account_id=account_id,
            occurred_at=NOW - timedelta(days=days_ago),
            type="meeting",
        )
    )
    session.flush()
