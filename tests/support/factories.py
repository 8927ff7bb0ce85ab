"""Store rows for tests: one builder per table the world builders seed, with keyword defaults.

The per-domain worlds (``tests/jobs/store.py``, ``tests/scoring/store.py``,
``tests/drafting/store.py``, ``tests/handlers/seed.py``, ``tests/services/qa_world.py``)
each used to spell out the ORM rows themselves; they now describe *which* rows they
want (ids, dates, the figures a test asserts on) and build them here. Every builder
adds one row to ``session`` through the ORM in ``bot/db/models.py`` and returns it,
without flushing: the caller flushes when a later row needs it (or when its own
helpers always did). Dates are always passed in, so no row depends on today.
Any column a builder does not name can be given as a keyword (``**fields``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from bot.db.models import (
    Account,
    Contact,
    Contract,
    Csm,
    Cta,
    HealthScore,
    Interaction,
    Invoice,
    NpsResponse,
    SourceLoad,
    Ticket,
    UsageDaily,
)

Money = int | float | str | Decimal


def money(value: Money) -> Decimal:
    """``Decimal`` without binary float noise: 50_000.0 → Decimal('50000.0')."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def add_csm(
    session: Session,
    csm_id: str,
    *,
    name: str | None = None,
    slack_user_id: str | None = None,
    role: str = "csm",
    **fields: Any,
) -> Csm:
    csm = Csm(
        csm_id=csm_id,
        name=name or f"CSM {csm_id}",
        slack_user_id=slack_user_id,
        role=role,
        **fields,
    )
    session.add(csm)
    return csm


def add_account(
    session: Session,
    account_id: str,
    *,
    name: str | None = None,
    csm_id: str | None = None,
    arr: Money | None = None,
    status: str = "active",
    **fields: Any,
) -> Account:
    account = Account(
        account_id=account_id,
        name=name or f"{account_id} Corp",
        csm_id=csm_id,
        arr=None if arr is None else money(arr),
        status=status,
        **fields,
    )
    session.add(account)
    return account


def add_contact(
    session: Session, contact_id: str, account_id: str, *, name: str | None = None, **fields: Any
) -> Contact:
    contact = Contact(
        contact_id=contact_id, account_id=account_id, name=name or contact_id, **fields
    )
    session.add(contact)
    return contact


def add_contract(
    session: Session,
    contract_id: str,
    account_id: str,
    *,
    start: date,
    end: date,
    arr: Money,
    status: str = "active",
    **fields: Any,
) -> Contract:
    """A contract; its ``end`` is the renewal date the renewal rules and answers read."""
    contract = Contract(
        contract_id=contract_id,
        account_id=account_id,
        start_date=start,
        end_date=end,
        arr=money(arr),
        status=status,
        **fields,
    )
    session.add(contract)
    return contract


def add_usage(session: Session, account_id: str, day: date, **measures: Any) -> UsageDaily:
    """One ``usage_daily`` row (``active_users``, ``logins``, ``events``, …)."""
    row = UsageDaily(account_id=account_id, date=day, **measures)
    session.add(row)
    return row


def add_usage_days(
    session: Session, account_id: str, days: Iterable[date], **measures: Any
) -> list[UsageDaily]:
    """The same measures on each of ``days``."""
    return [add_usage(session, account_id, day, **measures) for day in days]


def add_ticket(
    session: Session, ticket_id: str, account_id: str, *, created_at: datetime, **fields: Any
) -> Ticket:
    ticket = Ticket(ticket_id=ticket_id, account_id=account_id, created_at=created_at, **fields)
    session.add(ticket)
    return ticket


def add_invoice(
    session: Session,
    invoice_id: str,
    account_id: str,
    *,
    issued_at: date,
    amount: Money,
    **fields: Any,
) -> Invoice:
    invoice = Invoice(
        invoice_id=invoice_id,
        account_id=account_id,
        issued_at=issued_at,
        amount=money(amount),
        **fields,
    )
    session.add(invoice)
    return invoice


def add_nps(
    session: Session,
    response_id: str,
    account_id: str,
    *,
    responded_at: datetime,
    score: int,
    **fields: Any,
) -> NpsResponse:
    response = NpsResponse(
        response_id=response_id,
        account_id=account_id,
        responded_at=responded_at,
        score=score,
        **fields,
    )
    session.add(response)
    return response


def add_interaction(
    session: Session,
    interaction_id: str,
    account_id: str,
    *,
    occurred_at: datetime,
    type: str = "meeting",  # noqa: A002 - the column's name
    **fields: Any,
) -> Interaction:
    interaction = Interaction(
        interaction_id=interaction_id,
        account_id=account_id,
        occurred_at=occurred_at,
        type=type,
        **fields,
    )
    session.add(interaction)
    return interaction


def add_health(
    session: Session,
    account_id: str,
    as_of: date,
    *,
    score: float,
    band: str,
    computed_band: str | None = None,
    components: dict[str, Any] | None = None,
    drivers: list[dict[str, Any]] | None = None,
    missing_components: list[str] | None = None,
    config_version: str = "test",
    **fields: Any,
) -> HealthScore:
    """One daily snapshot in the agreed ``health_scores`` JSON shape."""
    row = HealthScore(
        account_id=account_id,
        as_of=as_of,
        score=score,
        band=band,
        computed_band=computed_band or band,
        components=components if components is not None else {},
        drivers=drivers if drivers is not None else [],
        missing_components=missing_components if missing_components is not None else [],
        config_version=config_version,
        **fields,
    )
    session.add(row)
    return row


def add_cta(session: Session, dedupe_key: str, account_id: str, **fields: Any) -> Cta:
    cta = Cta(dedupe_key=dedupe_key, account_id=account_id, **fields)
    session.add(cta)
    return cta


def add_source_load(
    session: Session, source: str, *, last_loaded_at: datetime, rows_loaded: int = 1, **fields: Any
) -> SourceLoad:
    load = SourceLoad(
        source=source, last_loaded_at=last_loaded_at, rows_loaded=rows_loaded, **fields
    )
    session.add(load)
    return load
