"""Payload → one contract row: the minimal mapping the inbox needs, local to this package.

* Zendesk ``zen:event-type:ticket.*`` → a ``tickets`` row from ``detail``; its account is the
  organization id (an account whose ``account_id`` is that id).
* Intercom ``conversation.*`` → a ``tickets`` row from ``data.item``; its account is
  ``custom_attributes.account_id``, the first contact's ``external_id`` (a ``contacts`` row),
  or the author's email domain.
* Stripe ``invoice.*`` → an ``invoices`` row; ``customer.subscription.*`` → a ``contracts``
  row; the account is ``metadata.account_id`` or the customer email's domain.

Pure (no store): the account hints are resolved by the inbox. The sync connectors
(``bot/sources/zendesk``, ``…/intercom``, ``…/stripe``) own the full mappings; when they
land, their record mappings should replace these functions, keeping ids the same.
Anything else is skipped with a reason, so an unhandled topic never blocks the queue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.sources.importer.records import RecordValue


@dataclass(frozen=True, slots=True)
class AccountHints:
    account_ids: tuple[str, ...] = ()
    contact_ids: tuple[str, ...] = ()
    email_domains: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MappedRow:
    table: str
    record_id: str
    row: dict[str, RecordValue]
    hints: AccountHints
    where: str  # "zendesk ticket": an error line reads "zendesk ticket 5158: priority: …"
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Skip:
    reason: str


_TAG = re.compile(r"<[^>]+>")
_ZENDESK_STATUS = {"new": "open", "open": "open", "pending": "pending", "hold": "pending",
                   "solved": "solved", "closed": "closed"}  # fmt: skip
_INTERCOM_STATE = {"open": "open", "snoozed": "pending", "closed": "closed"}
_STRIPE_INVOICE = {"paid": "paid", "open": "open", "void": "void", "uncollectible": "failed"}
_STRIPE_SUBSCRIPTION = {"active": "active", "trialing": "active", "past_due": "active",
                        "unpaid": "active", "canceled": "churned", "incomplete": "pending",
                        "incomplete_expired": "churned", "paused": "active"}  # fmt: skip
_PER_YEAR = {"day": 365, "week": 52, "month": 12, "year": 1}


def map_event(source: str, event_type: str, payload: dict[str, Any]) -> MappedRow | Skip:
    """The contract row one event carries, or why it carries none."""
    if source == "zendesk" and event_type.startswith("zen:event-type:ticket."):
        return _zendesk_ticket(payload.get("detail"))
    if source == "intercom" and event_type.startswith("conversation."):
        return _intercom_conversation(payload.get("data"))
    if source == "stripe" and event_type.startswith("invoice."):
        return _stripe_invoice(_stripe_object(payload), event_type)
    if source == "stripe" and event_type.startswith("customer.subscription."):
        return _stripe_subscription(_stripe_object(payload))
    return Skip(f"{source} {event_type}: not mapped")


# --------------------------------------------------------------------------- zendesk
def _zendesk_ticket(detail: Any) -> MappedRow | Skip:
    if not isinstance(detail, dict) or detail.get("id") in (None, ""):
        return Skip("zendesk ticket event: detail.id missing")
    ticket_id = str(detail["id"])
    status = _ZENDESK_STATUS.get(str(detail.get("status") or "").lower())
    priority = str(detail.get("priority") or "").lower() or None
    organization = detail.get("organization_id")
    row: dict[str, RecordValue] = {
        "ticket_id": ticket_id,
        "created_at": _text(detail.get("created_at")),
        "status": status or _text(detail.get("status")),
        "priority": priority,  # the importer refuses values outside the contract, located
        "subject": _text(detail.get("subject")),
        "description": _text(detail.get("description")),
    }
    hints = AccountHints(account_ids=(str(organization),) if organization else ())
    return MappedRow(
        "tickets",
        ticket_id,
        row,
        hints,
        "zendesk ticket",
        {
            "created_at": "detail.created_at",
            "status": "detail.status",
            "priority": "detail.priority",
        },  # fmt: skip
    )


# --------------------------------------------------------------------------- intercom
def _intercom_conversation(data: Any) -> MappedRow | Skip:
    item = data.get("item") if isinstance(data, dict) else None
    if not isinstance(item, dict) or item.get("id") in (None, ""):
        return Skip("intercom conversation event: data.item.id missing")
    ticket_id = str(item["id"])
    source = _dict(item, "source")
    body = _TAG.sub(" ", str(source.get("body") or "")).strip() or None
    attributes = _dict(item, "custom_attributes")
    contacts = _dict(item, "contacts")
    contact_ids = tuple(
        str(c["external_id"])
        for c in contacts.get("contacts") or []
        if isinstance(c, dict) and c.get("external_id")
    )
    author = _dict(source, "author")
    domains = tuple(
        [str(author["email"]).rsplit("@", 1)[1]]
        if author.get("type") in ("user", "lead", "contact") and "@" in str(author.get("email"))
        else []
    )
    account = attributes.get("account_id")
    row: dict[str, RecordValue] = {
        "ticket_id": ticket_id,
        "created_at": _unix(item.get("created_at")),
        "status": _INTERCOM_STATE.get(str(item.get("state") or "")),
        "priority": "high" if item.get("priority") == "priority" else "normal",
        "subject": _text(source.get("subject")) or _text(item.get("title")),
        "description": body,
    }
    hints = AccountHints(
        account_ids=(str(account),) if account else (),
        contact_ids=contact_ids,
        email_domains=domains,
    )
    return MappedRow(
        "tickets", ticket_id, row, hints, "intercom conversation",
        {"created_at": "data.item.created_at"},
    )  # fmt: skip


# --------------------------------------------------------------------------- stripe
def _stripe_object(payload: dict[str, Any]) -> Any:
    data = payload.get("data")
    return data.get("object") if isinstance(data, dict) else None


def _stripe_hints(obj: dict[str, Any]) -> AccountHints:
    metadata = _dict(obj, "metadata")
    account = metadata.get("account_id")
    email = str(obj.get("customer_email") or "")
    return AccountHints(
        account_ids=(str(account),) if account else (),
        email_domains=(email.rsplit("@", 1)[1],) if "@" in email else (),
    )


def _stripe_invoice(obj: Any, event_type: str) -> MappedRow | Skip:
    if not isinstance(obj, dict) or not obj.get("id"):
        return Skip(f"stripe {event_type}: data.object.id missing")
    invoice_id = str(obj["id"])
    if obj.get("status") == "draft":
        return Skip(f"stripe invoice {invoice_id}: a draft is not an invoice yet")
    transitions = _dict(obj, "status_transitions")
    status = _STRIPE_INVOICE.get(str(obj.get("status") or ""))
    if event_type == "invoice.payment_failed" and status != "paid":
        status = "failed"
    amount = obj.get("amount_due")
    row: dict[str, RecordValue] = {
        "invoice_id": invoice_id,
        "issued_at": _unix_date(obj.get("created")),
        # minor units (cents); zero-decimal currencies (JPY…) are not handled here
        "amount": amount / 100 if isinstance(amount, int | float) else _text(amount),
        "due_at": _unix_date(obj.get("due_date")),
        "paid_at": _unix_date(transitions.get("paid_at")),
        "status": status,
    }
    return MappedRow(
        "invoices", invoice_id, row, _stripe_hints(obj), "stripe invoice",
        {"issued_at": "created", "amount": "amount_due", "due_at": "due_date"},
    )  # fmt: skip


def _stripe_subscription(obj: Any) -> MappedRow | Skip:
    if not isinstance(obj, dict) or not obj.get("id"):
        return Skip("stripe customer.subscription event: data.object.id missing")
    contract_id = str(obj["id"])
    items = [i for i in _dict(obj, "items").get("data") or [] if isinstance(i, dict)]
    arr = 0.0
    period_end = obj.get("current_period_end")
    for item in items:
        price = item.get("price") or {}
        recurring = price.get("recurring") or {}
        per_year = _PER_YEAR.get(str(recurring.get("interval")), 0) / max(
            int(recurring.get("interval_count") or 1), 1
        )
        arr += (price.get("unit_amount") or 0) * (item.get("quantity") or 1) * per_year / 100
        period_end = period_end or item.get("current_period_end")
    row: dict[str, RecordValue] = {
        "contract_id": contract_id,
        "start_date": _unix_date(obj.get("start_date")),
        "end_date": _unix_date(period_end),
        "arr": round(arr, 2),
        "status": _STRIPE_SUBSCRIPTION.get(str(obj.get("status") or ""), "active"),
        "auto_renew": not bool(obj.get("cancel_at_period_end")),
    }
    return MappedRow(
        "contracts", contract_id, row, _stripe_hints(obj), "stripe subscription",
        {"start_date": "start_date", "end_date": "current_period_end", "arr": "items"},
    )  # fmt: skip


# --------------------------------------------------------------------------- values
def _dict(obj: dict[str, Any], key: str) -> dict[str, Any]:
    value = obj.get(key)
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _unix(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC).isoformat()
    return _text(value)


def _unix_date(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC).date().isoformat()
    return _text(value)
