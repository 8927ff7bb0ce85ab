"""Typed SQLAlchemy models: the contract tables plus the tables csbot derives.

Contract tables mirror ``DATA_CONTRACT.md`` one to one (keys are the source's own
string ids, so an upsert by key is a plain primary-key conflict). Foreign keys are
declared ``DEFERRABLE INITIALLY DEFERRED`` so one import transaction may load a
parent after its child (PostgreSQL checks them at commit; SQLite ignores them and
the importer checks references itself).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime, utcnow

Money = Numeric(18, 2)


def _fk(target: str, *, ondelete: str | None = None) -> ForeignKey:
    return ForeignKey(target, deferrable=True, initially="DEFERRED", ondelete=ondelete)


# --------------------------------------------------------------------------- contract
class Csm(Base):
    __tablename__ = "csms"

    csm_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    slack_user_id: Mapped[str | None] = mapped_column(String(32), index=True)
    role: Mapped[str] = mapped_column(String(16), default="csm")
    manager_id: Mapped[str | None] = mapped_column(String(64), _fk("csms.csm_id"), index=True)
    team: Mapped[str | None] = mapped_column(String(120))


class Account(Base):
    __tablename__ = "accounts"

    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    parent_account_id: Mapped[str | None] = mapped_column(String(64), _fk("accounts.account_id"))
    domain: Mapped[str | None] = mapped_column(String(255))
    industry: Mapped[str | None] = mapped_column(String(120))
    segment: Mapped[str | None] = mapped_column(String(16))
    arr: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    employee_count: Mapped[int | None] = mapped_column(Integer)
    licensed_seats: Mapped[int | None] = mapped_column(Integer)
    csm_id: Mapped[str | None] = mapped_column(String(64), _fk("csms.csm_id"), index=True)
    customer_since: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    churned_at: Mapped[date | None] = mapped_column(Date)
    churn_reason: Mapped[str | None] = mapped_column(Text)


class Contact(Base):
    __tablename__ = "contacts"

    contact_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64), _fk("accounts.account_id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    title: Mapped[str | None] = mapped_column(String(200))
    is_champion: Mapped[bool | None] = mapped_column(Boolean)
    is_decision_maker: Mapped[bool | None] = mapped_column(Boolean)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Contract(Base):
    __tablename__ = "contracts"
    __table_args__ = (Index("ix_contracts_end_date_status", "end_date", "status"),)

    contract_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64), _fk("accounts.account_id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    arr: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(16), default="active")
    auto_renew: Mapped[bool | None] = mapped_column(Boolean)


class UsageDaily(Base):
    __tablename__ = "usage_daily"

    account_id: Mapped[str] = mapped_column(
        String(64), _fk("accounts.account_id"), primary_key=True
    )
    date: Mapped[date] = mapped_column(Date, primary_key=True)
    active_users: Mapped[int | None] = mapped_column(Integer)
    logins: Mapped[int | None] = mapped_column(Integer)
    events: Mapped[int | None] = mapped_column(Integer)
    features_used: Mapped[int | None] = mapped_column(Integer)
    session_minutes: Mapped[float | None] = mapped_column(Float)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_account_created", "account_id", "created_at"),)

    ticket_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64), _fk("accounts.account_id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    contact_id: Mapped[str | None] = mapped_column(String(64), _fk("contacts.contact_id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str | None] = mapped_column(String(16), index=True)
    priority: Mapped[str | None] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(120))
    subject: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    csat: Mapped[int | None] = mapped_column(Integer)
    escalated: Mapped[bool | None] = mapped_column(Boolean)


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (Index("ix_invoices_account_issued", "account_id", "issued_at"),)

    invoice_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64), _fk("accounts.account_id"))
    issued_at: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    due_at: Mapped[date | None] = mapped_column(Date)
    paid_at: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str | None] = mapped_column(String(16))


class NpsResponse(Base):
    __tablename__ = "nps"
    __table_args__ = (Index("ix_nps_account_responded", "account_id", "responded_at"),)

    response_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64), _fk("accounts.account_id"))
    responded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    score: Mapped[int] = mapped_column(Integer)
    contact_id: Mapped[str | None] = mapped_column(String(64), _fk("contacts.contact_id"))
    comment: Mapped[str | None] = mapped_column(Text)


class Interaction(Base):
    __tablename__ = "interactions"
    __table_args__ = (Index("ix_interactions_account_occurred", "account_id", "occurred_at"),)

    interaction_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64), _fk("accounts.account_id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    type: Mapped[str] = mapped_column(String(16))
    contact_id: Mapped[str | None] = mapped_column(String(64), _fk("contacts.contact_id"))
    csm_id: Mapped[str | None] = mapped_column(String(64), _fk("csms.csm_id"))
    summary: Mapped[str | None] = mapped_column(Text)


class Opportunity(Base):
    __tablename__ = "opportunities"

    opportunity_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64), _fk("accounts.account_id"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money)
    stage: Mapped[str | None] = mapped_column(String(64))
    close_date: Mapped[date | None] = mapped_column(Date)
    won: Mapped[bool | None] = mapped_column(Boolean)


CONTRACT_MODELS: tuple[type[Base], ...] = (
    Csm,
    Account,
    Contact,
    Contract,
    UsageDaily,
    Ticket,
    Invoice,
    NpsResponse,
    Interaction,
    Opportunity,
)


# --------------------------------------------------------------------------- derived
class SourceLoad(Base):
    """When each contract table was last loaded: the basis of every freshness line."""

    __tablename__ = "source_loads"

    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rows_loaded: Mapped[int] = mapped_column(Integer, default=0)
    data_as_of: Mapped[datetime | None] = mapped_column(UTCDateTime)
    import_id: Mapped[str | None] = mapped_column(String(64))


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class HealthScore(Base):
    """One daily snapshot per account: the score history trends and drivers read."""

    __tablename__ = "health_scores"
    __table_args__ = (Index("ix_health_scores_as_of", "as_of"),)

    account_id: Mapped[str] = mapped_column(
        String(64), _fk("accounts.account_id"), primary_key=True
    )
    as_of: Mapped[date] = mapped_column(Date, primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    band: Mapped[str] = mapped_column(String(16))
    computed_band: Mapped[str] = mapped_column(String(16))
    components: Mapped[dict[str, Any]] = mapped_column(JSON)
    drivers: Mapped[list[Any]] = mapped_column(JSON)
    missing_components: Mapped[list[str]] = mapped_column(JSON, default=list)
    churn_risk: Mapped[float | None] = mapped_column(Float)
    expansion: Mapped[float | None] = mapped_column(Float)
    stage: Mapped[str | None] = mapped_column(String(16))
    config_version: Mapped[str] = mapped_column(String(32))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HealthOverride(Base):
    __tablename__ = "health_overrides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(64), _fk("accounts.account_id"), index=True)
    band: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    until: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Cta(Base):
    """A call to action: one per (account, rule, period) thanks to the dedupe key."""

    __tablename__ = "ctas"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_ctas_owner_status", "owner_csm_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    account_id: Mapped[str] = mapped_column(String(64), _fk("accounts.account_id"), index=True)
    rule: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(16))
    playbook_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    owner_csm_id: Mapped[str | None] = mapped_column(String(64), _fk("csms.csm_id"))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    snooze_reason: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Alert(Base):
    """A Slack message csbot owes someone; claimed by its dedupe key before it is sent."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_alerts_status_next", "status", "next_attempt_at"),
        Index("ix_alerts_cta_id", "cta_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[str | None] = mapped_column(String(64), index=True)
    cta_id: Mapped[int | None] = mapped_column(Integer, _fk("ctas.id"))
    recipient: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    slack_channel: Mapped[str | None] = mapped_column(String(64))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Escalation(Base):
    __tablename__ = "escalations"
    __table_args__ = (Index("ix_escalations_status", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(64), _fk("accounts.account_id"), index=True)
    opened_by: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(64))
    arr_at_risk: Mapped[Decimal | None] = mapped_column(Money)
    description: Mapped[str] = mapped_column(Text)
    needed_by: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    slack_channel: Mapped[str | None] = mapped_column(String(64))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    sla_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    repinged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_to_manager_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SlackEventClaim(Base):
    """Slack delivery ids claimed on receipt, so retries and replicas answer once."""

    __tablename__ = "slack_event_claims"

    event_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(120))


class SlackThread(Base):
    """What a Slack thread is about, so follow-ups need no new mention or account name."""

    __tablename__ = "slack_threads"

    channel_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    thread_ts: Mapped[str] = mapped_column(String(32), primary_key=True)
    slack_user_id: Mapped[str | None] = mapped_column(String(32))
    account_id: Mapped[str | None] = mapped_column(String(64))
    last_intent: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    slack_user_id: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(8))
    question: Mapped[str | None] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(64))
    channel_id: Mapped[str | None] = mapped_column(String(64))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SchedulerLease(Base):
    """A database lease: whoever holds an unexpired row is the one scheduler leader."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TextSentiment(Base):
    """Sentiment of a ticket or NPS comment, computed once per text version."""

    __tablename__ = "text_sentiment"

    source: Mapped[str] = mapped_column(String(16), primary_key=True)  # ticket | nps
    source_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    label: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TicketChurnIntent(Base):
    """Whether a ticket shows churn intent ("how do we cancel?"), once per text version.

    A signal of its own, not a sentiment: the 360 card, the health score's support
    component and the cancellation-save CTA read it. ``reason`` is the explicit
    phrase that matched or ``classifier``; ``evidence`` the sentence it was found in.
    """

    __tablename__ = "ticket_churn_intent"

    ticket_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    detected: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(String(32))
    evidence: Mapped[str | None] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TicketTheme(Base):
    __tablename__ = "ticket_themes"
    __table_args__ = (Index("ix_ticket_themes_scope", "scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(120))  # portfolio | account:<id> | csm:<id>
    label: Mapped[str] = mapped_column(String(200))
    terms: Mapped[list[str]] = mapped_column(JSON)
    size: Mapped[int] = mapped_column(Integer)
    negative_share: Mapped[float] = mapped_column(Float)
    trend: Mapped[float | None] = mapped_column(Float)
    examples: Mapped[list[str]] = mapped_column(JSON)
    centroid: Mapped[list[float] | None] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TicketThemeAssignment(Base):
    __tablename__ = "ticket_theme_assignments"

    ticket_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope: Mapped[str] = mapped_column(String(120), primary_key=True)
    theme_id: Mapped[int] = mapped_column(Integer, _fk("ticket_themes.id", ondelete="CASCADE"))
    similarity: Mapped[float | None] = mapped_column(Float)


class Draft(Base):
    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # email | summary
    purpose: Mapped[str | None] = mapped_column(String(32))
    tone: Mapped[str | None] = mapped_column(String(16))
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    model: Mapped[str] = mapped_column(String(120))
    verified: Mapped[bool] = mapped_column(Boolean)
    unsupported: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SyncCursor(Base):
    """Where each source object's incremental sync stands, and how its last run went.

    ``cursor`` is committed in the same transaction as the page of rows it covers, so
    after a crash the next run resumes right after the last committed page.
    """

    __tablename__ = "sync_cursors"

    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    object_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(32))
    cursor: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rows_changed: Mapped[int] = mapped_column(Integer, default=0)
    """Rows written by the last successful run (0 when nothing changed)."""
    deleted_seen: Mapped[int] = mapped_column(Integer, default=0)
    """Deleted/archived source records the last successful run reported."""
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CrmWritebackValue(Base):
    """The value csbot last pushed to one CRM field of one account's CRM record.

    Writeback sends only fields whose value differs from this row, so a re-run sends
    nothing; a record the CRM refused gets no row and is sent again on the next run.
    """

    __tablename__ = "crm_writeback_values"

    crm: Mapped[str] = mapped_column(String(16), primary_key=True)  # salesforce | hubspot
    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    field: Mapped[str] = mapped_column(String(120), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[str | None] = mapped_column(Text)
    pushed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookEvent(Base):
    """One verified webhook delivery, queued until the ``webhook_inbox`` job imports it.

    Keyed by the source's own event id, so a replayed or retried delivery is an
    insert that conflicts and adds nothing. ``payload`` is the verified body as sent.
    """

    __tablename__ = "webhook_inbox"
    __table_args__ = (Index("ix_webhook_inbox_status_received", "status", "received_at"),)

    source: Mapped[str] = mapped_column(String(16), primary_key=True)  # stripe|zendesk|intercom
    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(120))
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    """``pending``, then ``done``, ``skipped`` (no account, topic not mapped) or ``failed``."""
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)
    """Why an event was skipped or failed (a located error, never the payload)."""
