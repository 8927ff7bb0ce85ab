"""Seed the real store (SQLite or PostgreSQL) with small, exactly known portfolios."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from bot.db.models import (
    Account,
    Contact,
    Contract,
    Interaction,
    Invoice,
    NpsResponse,
    UsageDaily,
)
from tests.support import factories

AS_OF = date(2025, 6, 1)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def add_csm(session: Session, csm_id: str = "C1") -> None:
    factories.add_csm(session, csm_id, name="Casey CSM", slack_user_id="U0CSM")


def add_account(
    session: Session,
    account_id: str,
    *,
    seats: int | None = 50,
    status: str = "active",
    churned_at: date | None = None,
    customer_since: date = date(2022, 1, 1),
    segment: str = "mid-market",
    arr: str = "50000",
) -> None:
    factories.add_account(
        session,
        account_id,
        csm_id="C1",
        segment=segment,
        arr=arr,
        licensed_seats=seats,
        status=status,
        churned_at=churned_at,
        customer_since=customer_since,
    )


def add_usage(
    session: Session,
    account_id: str,
    *,
    end: date,
    days: int,
    active_users: int | list[int],
    logins: int = 40,
    features: int = 5,
) -> None:
    """``days`` consecutive daily rows ending the day before ``end``."""
    for offset in range(days):
        day = end - timedelta(days=days - offset)
        users = active_users[offset] if isinstance(active_users, list) else active_users
        factories.add_usage(
            session,
            account_id,
            day,
            active_users=users,
            logins=logins,
            events=users * 10,
            features_used=features,
            session_minutes=float(users),
        )


def add_invoice(
    session: Session,
    invoice_id: str,
    account_id: str,
    *,
    issued: date,
    status: str = "paid",
    paid: date | None = None,
    due_days: int = 30,
) -> None:
    due = issued + timedelta(days=due_days)
    factories.add_invoice(
        session,
        invoice_id,
        account_id,
        issued_at=issued,
        amount="1000",
        due_at=due,
        paid_at=paid
        if paid is not None
        else (due - timedelta(days=5) if status == "paid" else None),
        status=status,
    )


def add_ticket(
    session: Session, ticket_id: str, account_id: str, *, created: date, **fields: Any
) -> None:
    factories.add_ticket(session, ticket_id, account_id, created_at=at(created), **fields)


def add_contract(
    session: Session,
    contract_id: str,
    account_id: str,
    *,
    start: date,
    end: date,
    arr: str,
    status: str,
) -> None:
    factories.add_contract(
        session, contract_id, account_id, start=start, end=end, arr=arr, status=status
    )


def add_contact(session: Session, contact_id: str, account_id: str, **flags: Any) -> None:
    factories.add_contact(session, contact_id, account_id, **flags)


def add_interaction(
    session: Session,
    interaction_id: str,
    account_id: str,
    *,
    day: date,
    contact_id: str | None = None,
    type: str = "meeting",
) -> None:
    factories.add_interaction(
        session,
        interaction_id,
        account_id,
        occurred_at=at(day),
        type=type,
        contact_id=contact_id,
        csm_id="C1",
    )


def add_nps(session: Session, response_id: str, account_id: str, *, day: date, score: int) -> None:
    factories.add_nps(session, response_id, account_id, responded_at=at(day), score=score)


def seed_small_portfolio(session: Session) -> None:
    """Three accounts with exactly known figures (see the assertions in the tests).

    - ``HEALTHY``: 40 of 50 seats in use, steady, paid on time, promoter NPS 9.
    - ``SLIDING``: active users fell from 50 to 29 (-42%), 2 failed invoices (first May 3),
      detractor NPS 3, an urgent ticket open; plus rows *on and after* as_of that must be ignored.
    - ``BARE``: an account with no usage, tickets, invoices, NPS or interactions.
    """
    add_csm(session)
    for account_id in ("HEALTHY", "SLIDING", "BARE"):
        add_account(session, account_id)
    add_account(session, "GONE", status="churned", churned_at=date(2025, 1, 10))
    session.flush()
    add_usage(session, "HEALTHY", end=AS_OF, days=90, active_users=40)
    add_usage(session, "SLIDING", end=AS_OF, days=90, active_users=[50] * 60 + [29] * 30)
    # Future rows: on as_of itself and after; point-in-time reads must not see them.
    add_usage(session, "SLIDING", end=AS_OF + timedelta(days=6), days=6, active_users=500)
    add_invoice(session, "I-H1", "HEALTHY", issued=date(2025, 3, 1))
    add_invoice(session, "I-H2", "HEALTHY", issued=date(2025, 4, 1))
    add_invoice(session, "I-S1", "SLIDING", issued=date(2025, 2, 1))
    add_invoice(session, "I-S2", "SLIDING", issued=date(2025, 5, 3), status="failed")
    add_invoice(session, "I-S3", "SLIDING", issued=date(2025, 5, 20), status="failed")
    add_invoice(session, "I-S4", "SLIDING", issued=date(2025, 6, 2), status="failed")  # after as_of
    add_ticket(
        session,
        "T-S1",
        "SLIDING",
        created=date(2025, 5, 25),
        priority="urgent",
        status="open",
        csat=None,
    )
    add_ticket(
        session,
        "T-S2",
        "SLIDING",
        created=date(2025, 4, 25),
        priority="normal",
        status="solved",
        resolved_at=at(date(2025, 4, 26)),
        csat=2,
    )
    add_ticket(
        session,
        "T-H1",
        "HEALTHY",
        created=date(2025, 4, 2),
        priority="low",
        status="closed",
        resolved_at=at(date(2025, 4, 3)),
        csat=5,
    )
    add_contract(
        session,
        "K-H0",
        "HEALTHY",
        start=date(2023, 1, 1),
        end=date(2024, 1, 1),
        arr="40000",
        status="renewed",
    )
    add_contract(
        session,
        "K-H1",
        "HEALTHY",
        start=date(2024, 1, 1),
        end=date(2026, 1, 1),
        arr="50000",
        status="active",
    )
    add_contract(
        session,
        "K-S1",
        "SLIDING",
        start=date(2024, 8, 1),
        end=date(2025, 8, 1),
        arr="50000",
        status="active",
    )
    add_contact(session, "P-H1", "HEALTHY", is_champion=True, is_decision_maker=True)
    add_contact(session, "P-S1", "SLIDING", is_champion=True)
    add_interaction(
        session, "X-H1", "HEALTHY", day=date(2025, 5, 20), contact_id="P-H1", type="qbr"
    )
    add_interaction(session, "X-S1", "SLIDING", day=date(2025, 1, 2), contact_id="P-S1")
    add_nps(session, "N-H1", "HEALTHY", day=date(2025, 4, 20), score=9)
    add_nps(session, "N-S1", "SLIDING", day=date(2025, 5, 10), score=3)
    add_nps(session, "N-S2", "SLIDING", day=date(2025, 6, 3), score=10)  # after as_of


def seed_renewal_history(session: Session, *, accounts: int = 120, seed: int = 7) -> dict[str, int]:
    """Accounts whose past contract renewed or churned, with signals that precede churn.

    Churners' active users slide over the 150 days before their contract ends, some
    answer NPS as detractors and some fail an invoice; renewers hold steady. Noise on
    both sides keeps the separation imperfect. Bulk inserts keep this fast on both
    backends. Returns counts of churned and renewed outcomes.
    """
    import random

    from sqlalchemy import insert

    rng = random.Random(seed)
    add_csm(session)
    session.flush()
    first_day = date(2024, 1, 1)
    horizon = (AS_OF - first_day).days
    account_rows, contract_rows, usage_rows, invoice_rows, nps_rows = [], [], [], [], []
    interaction_rows, contact_rows = [], []
    churned = renewed = 0
    for index in range(accounts):
        account_id = f"H{index:04d}"
        end = date(2024, 8, 1) + timedelta(days=rng.randrange(0, 290))
        churns = rng.random() < 0.35
        seats = rng.choice([20, 50, 100])
        base = seats * rng.uniform(0.5, 0.9)
        account_rows.append(
            {
                "account_id": account_id,
                "name": f"History {index}",
                "csm_id": "C1",
                "segment": rng.choice(["smb", "mid-market", "enterprise"]),
                "arr": Decimal(seats * 1000),
                "licensed_seats": seats,
                "customer_since": date(2023, 1, 1),
                "status": "churned" if churns else "active",
                "churned_at": end if churns else None,
            }
        )
        contract_rows.append(
            {
                "contract_id": f"K{index:04d}a",
                "account_id": account_id,
                "start_date": end - timedelta(days=365),
                "end_date": end,
                "arr": Decimal(seats * 1000),
                "status": "churned" if churns else "renewed",
            }
        )
        if not churns:
            contract_rows.append(
                {
                    "contract_id": f"K{index:04d}b",
                    "account_id": account_id,
                    "start_date": end,
                    "end_date": end + timedelta(days=365),
                    "arr": Decimal(seats * 1000),
                    "status": "active",
                }
            )
        slides = churns if rng.random() > 0.15 else not churns
        for offset in range(horizon):
            day = first_day + timedelta(days=offset)
            if churns and day >= end:
                break
            to_end = (end - day).days
            factor = 1.0
            if slides and 0 <= to_end <= 150:
                factor = 0.35 + 0.65 * to_end / 150
            users = max(0, round(base * factor * rng.uniform(0.85, 1.15)))
            usage_rows.append(
                {
                    "account_id": account_id,
                    "date": day,
                    "active_users": users,
                    "logins": users * 3,
                    "events": users * 20,
                    "features_used": max(1, round(6 * factor)),
                    "session_minutes": users * 5.0,
                }
            )
        if (churns and rng.random() < 0.6) or (not churns and rng.random() < 0.1):
            nps_rows.append(
                {
                    "response_id": f"N{index:04d}",
                    "account_id": account_id,
                    "responded_at": at(end - timedelta(days=130)),
                    "score": rng.randint(0, 5),
                }
            )
        else:
            nps_rows.append(
                {
                    "response_id": f"N{index:04d}",
                    "account_id": account_id,
                    "responded_at": at(end - timedelta(days=130)),
                    "score": rng.randint(7, 10),
                }
            )
        for month in range(12):
            issued = end - timedelta(days=365 - 30 * month)
            fails = churns and month >= 6 and rng.random() < 0.25
            invoice_rows.append(
                {
                    "invoice_id": f"I{index:04d}-{month}",
                    "account_id": account_id,
                    "issued_at": issued,
                    "amount": Decimal(100),
                    "due_at": issued + timedelta(days=30),
                    "paid_at": None if fails else issued + timedelta(days=20),
                    "status": "failed" if fails else "paid",
                }
            )
        contact_rows.append(
            {
                "contact_id": f"P{index:04d}",
                "account_id": account_id,
                "name": "Champ",
                "is_champion": True,
                "is_decision_maker": False,
                "is_active": True,
            }
        )
        quiet = churns and rng.random() < 0.5
        last_touch = end - timedelta(
            days=90 + (rng.randint(60, 150) if quiet else rng.randint(3, 30))
        )
        interaction_rows.append(
            {
                "interaction_id": f"X{index:04d}",
                "account_id": account_id,
                "occurred_at": at(last_touch),
                "type": "meeting",
                "contact_id": f"P{index:04d}",
                "csm_id": "C1",
            }
        )
        churned += churns
        renewed += not churns
    for model, rows in (
        (Account, account_rows),
        (Contact, contact_rows),
        (Contract, contract_rows),
        (UsageDaily, usage_rows),
        (Invoice, invoice_rows),
        (NpsResponse, nps_rows),
        (Interaction, interaction_rows),
    ):
        session.execute(insert(model.__table__), rows)
    return {"churned": churned, "renewed": renewed}
