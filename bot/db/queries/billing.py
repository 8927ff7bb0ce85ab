"""Invoices that need a CSM's attention, open escalations, and the last touch of a kind.

"Overdue" is one rule here for every surface that shows invoices (the portfolio
answer, the per-account answer, the 360 card): a failed invoice, or an unpaid one
past its due date; paid and void invoices never count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from bot.db.models import Account, Contact, Csm, Escalation, Interaction, Invoice
from bot.db.queries.accounts import DEFAULT_CURRENCY, as_money
from bot.db.queries.records import InteractionRecord
from bot.db.queries.scope import AccountScope, apply_account_scope

SETTLED = ("paid", "void")


@dataclass(frozen=True, slots=True)
class ProblemInvoice:
    invoice_id: str
    account_id: str
    account_name: str
    amount: Decimal
    currency: str
    issued_at: date
    due_at: date | None
    status: str  # failed | overdue

    def days_overdue(self, today: date) -> int | None:
        return (today - self.due_at).days if self.due_at else None


def _problem(today: date) -> Any:
    failed = func.lower(func.coalesce(Invoice.status, "")) == "failed"
    unpaid_late = and_(
        Invoice.paid_at.is_(None),
        Invoice.due_at < today,
        func.lower(func.coalesce(Invoice.status, "")).not_in(SETTLED),
    )
    return or_(failed, unpaid_late)


def problem_invoices(
    *,
    session: Session,
    scope: AccountScope,
    today: date,
    account_id: str | None = None,
    limit: int = 10,
) -> tuple[list[ProblemInvoice], int]:
    """Failed or overdue invoices in scope (or on one account), oldest due first."""
    where = _problem(today)
    if account_id is not None:
        where = and_(where, Invoice.account_id == account_id)
    statement = (
        select(
            Invoice.invoice_id,
            Invoice.account_id,
            Account.name,
            Invoice.amount,
            Account.currency,
            Invoice.issued_at,
            Invoice.due_at,
            Invoice.status,
        )
        .select_from(Invoice)
        .join(Account, Account.account_id == Invoice.account_id)
        .where(where)
        .order_by(Invoice.due_at.asc().nulls_last(), Invoice.invoice_id)
        .limit(limit)
    )
    rows = session.execute(apply_account_scope(statement, scope)).all()
    count = select(func.count()).select_from(Invoice).join(Account).where(where)
    total = session.scalar(apply_account_scope(count, scope))
    items = [
        ProblemInvoice(
            invoice_id=r[0],
            account_id=r[1],
            account_name=r[2],
            amount=as_money(r[3]),
            currency=r[4] or DEFAULT_CURRENCY,
            issued_at=r[5],
            due_at=r[6],
            status="failed" if (r[7] or "").lower() == "failed" else "overdue",
        )
        for r in rows
    ]
    return items, int(total or 0)


@dataclass(frozen=True, slots=True)
class OpenEscalation:
    escalation_id: int
    account_id: str
    account_name: str
    severity: str
    category: str
    status: str
    description: str
    arr_at_risk: Decimal | None
    currency: str
    sla_due_at: datetime
    created_at: datetime


OPEN_ESCALATION = ("open", "acknowledged")
SEVERITY_ORDER = ("sev1", "critical", "high", "sev2", "medium", "sev3", "low")


def open_escalations(
    *, session: Session, scope: AccountScope, account_id: str | None = None, limit: int = 10
) -> tuple[list[OpenEscalation], int]:
    """Escalations not yet resolved (``/escalate``'s records, not support tickets)."""
    where = Escalation.status.in_(OPEN_ESCALATION)
    if account_id is not None:
        where = and_(where, Escalation.account_id == account_id)
    statement = (
        select(Escalation, Account.name, Account.currency)
        .join(Account, Account.account_id == Escalation.account_id)
        .where(where)
        .order_by(Escalation.sla_due_at.asc(), Escalation.id)
        .limit(limit)
    )
    rows = session.execute(apply_account_scope(statement, scope)).all()
    count = select(func.count()).select_from(Escalation).join(Account).where(where)
    total = session.scalar(apply_account_scope(count, scope))
    items = [
        OpenEscalation(
            escalation_id=e.id,
            account_id=e.account_id,
            account_name=name,
            severity=e.severity,
            category=e.category,
            status=e.status,
            description=e.description,
            arr_at_risk=as_money(e.arr_at_risk) if e.arr_at_risk is not None else None,
            currency=currency or DEFAULT_CURRENCY,
            sla_due_at=e.sla_due_at,
            created_at=e.created_at,
        )
        for e, name, currency in rows
    ]
    return items, int(total or 0)


def last_interaction_of(
    *, session: Session, account_id: str, types: tuple[str, ...] | None
) -> InteractionRecord | None:
    """The newest interaction of one of ``types`` (``None``: any customer-facing one)."""
    kind = (
        Interaction.type.in_(types)
        if types is not None
        else or_(Interaction.type.is_(None), Interaction.type != "note")
    )
    row = session.execute(
        select(Interaction, Contact.name, Csm.name)
        .outerjoin(Contact, Contact.contact_id == Interaction.contact_id)
        .outerjoin(Csm, Csm.csm_id == Interaction.csm_id)
        .where(Interaction.account_id == account_id, kind)
        .order_by(Interaction.occurred_at.desc(), Interaction.interaction_id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    interaction, contact_name, _csm_name = row
    return InteractionRecord(
        interaction_id=interaction.interaction_id,
        occurred_at=interaction.occurred_at,
        type=interaction.type,
        summary=interaction.summary,
        contact_name=contact_name,
    )
