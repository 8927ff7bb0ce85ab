"""Stripe objects → the raw records the mapping reads: pure, no I/O.

Each record is the Stripe object's own JSON plus ``derived.*`` values csbot works out
(see ``bot/sources/sync/mappings/stripe.yaml``): money in currency units (Stripe sends
minor units: cents; zero-decimal currencies such as JPY are already units), dates as
``YYYY-MM-DD`` (UTC) from epoch seconds, ARR annualised from the subscription's items,
and statuses in the contract's words.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

# https://docs.stripe.com/currencies#zero-decimal
ZERO_DECIMAL = frozenset(
    ("bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga")
    + ("pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf")
)
PER_YEAR = {"day": Decimal(365), "week": Decimal(52), "month": Decimal(12), "year": Decimal(1)}
CONTRACT_STATUS = {
    "active": "active",
    "trialing": "active",
    "past_due": "active",
    "unpaid": "active",
    "canceled": "churned",
    "incomplete_expired": "churned",
    "incomplete": "pending",
    "paused": "pending",
}
INVOICE_STATUS = {"paid": "paid", "open": "open", "void": "void", "uncollectible": "failed"}


class BadRecord(ValueError):
    """A Stripe value csbot cannot read; the message names the field and the value."""


def units(amount: Any, currency: str | None, field: str) -> str | None:
    """Minor units (``2000`` usd) → a decimal text in units (``20.00``)."""
    if amount is None:
        return None
    if isinstance(amount, bool) or not isinstance(amount, int | str):
        raise BadRecord(f"{field}: {amount!r}: is not an amount in minor units")
    try:
        minor = Decimal(str(amount))
    except ArithmeticError:
        raise BadRecord(f"{field}: {amount!r}: is not an amount in minor units") from None
    if not minor.is_finite() or minor != minor.to_integral_value():
        raise BadRecord(f"{field}: {amount!r}: is not an amount in minor units")
    if (currency or "usd").lower() in ZERO_DECIMAL:
        return str(minor)
    return str((minor / 100).quantize(Decimal("0.01")))


def day(epoch: Any, field: str) -> str | None:
    """Epoch seconds → ``YYYY-MM-DD`` (UTC)."""
    if epoch in (None, ""):
        return None
    if isinstance(epoch, bool) or not isinstance(epoch, int):
        raise BadRecord(f"{field}: {epoch!r}: is not a Unix timestamp")
    return datetime.fromtimestamp(epoch, UTC).date().isoformat()


def email_domain(email: Any) -> str | None:
    if not isinstance(email, str) or "@" not in email:
        return None
    domain = email.rsplit("@", 1)[1].strip().lower()
    return domain or None


def subscription_arr(subscription: Mapping[str, Any]) -> str:
    """ARR: Σ item price.unit_amount × quantity × periods per year, in units of its currency."""
    currency = subscription.get("currency")
    total = Decimal(0)
    for index, item in enumerate((subscription.get("items") or {}).get("data") or []):
        price = item.get("price") or {}
        recurring = price.get("recurring") or {}
        where = f"items[{index}].price"
        amount = price.get("unit_amount")
        if amount is None and price.get("unit_amount_decimal") is not None:
            amount = price["unit_amount_decimal"]
        if amount is None:
            raise BadRecord(f"{where}.unit_amount: None: a recurring price needs an amount")
        try:
            minor = Decimal(str(amount))
        except ArithmeticError:
            raise BadRecord(f"{where}.unit_amount: {amount!r}: is not a number") from None
        if not minor.is_finite() or minor < 0:
            raise BadRecord(f"{where}.unit_amount: {amount!r}: is not a non-negative amount")
        interval = recurring.get("interval")
        if interval not in PER_YEAR:
            raise BadRecord(f"{where}.recurring.interval: {interval!r}: is not day/week/month/year")
        count = recurring.get("interval_count") or 1
        quantity = item.get("quantity")
        quantity = 1 if quantity is None else quantity
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise BadRecord(f"items[{index}].quantity: {quantity!r}: is not a count")
        total += minor * quantity * PER_YEAR[interval] / Decimal(count)
    if (currency or "usd").lower() not in ZERO_DECIMAL:
        total /= 100
    return str(total.quantize(Decimal("0.01")))


def subscription_period(subscription: Mapping[str, Any]) -> tuple[Any, Any]:
    """The current period: on the subscription (older API versions) or on its items (newer)."""
    start, end = subscription.get("current_period_start"), subscription.get("current_period_end")
    if start is not None and end is not None:
        return start, end
    items = (subscription.get("items") or {}).get("data") or []
    starts = [i["current_period_start"] for i in items if i.get("current_period_start")]
    ends = [i["current_period_end"] for i in items if i.get("current_period_end")]
    return (min(starts) if starts else None), (max(ends) if ends else None)


def subscription_record(subscription: Mapping[str, Any], account_id: str | None) -> dict[str, Any]:
    start, end = subscription_period(subscription)
    status = subscription.get("status")
    derived = {
        "account_id": account_id,
        "start_date": day(start, "current_period_start"),
        "end_date": day(end, "current_period_end"),
        "arr": subscription_arr(subscription),
        "status": CONTRACT_STATUS.get(str(status)),
        "auto_renew": not bool(subscription.get("cancel_at_period_end")),
    }
    if derived["status"] is None:
        raise BadRecord(f"status: {status!r}: is not a Stripe subscription status")
    return {**subscription, "derived": derived}


def invoice_record(
    invoice: Mapping[str, Any], account_id: str | None, *, payment_failed: bool = False
) -> dict[str, Any]:
    """``failed``: uncollectible, or open after a failed attempt (``invoice.payment_failed``
    or ``attempt_count`` > 0). Drafts have no contract status and are left out."""
    currency = invoice.get("currency")
    status = invoice.get("status")
    transitions = invoice.get("status_transitions") or {}
    mapped = INVOICE_STATUS.get(str(status))
    if status == "open" and (payment_failed or (invoice.get("attempt_count") or 0) > 0):
        mapped = "failed"
    if status not in INVOICE_STATUS and status != "draft":
        raise BadRecord(f"status: {status!r}: is not a Stripe invoice status")
    derived = {
        "account_id": account_id,
        "status": mapped,
        "issued_at": day(transitions.get("finalized_at") or invoice.get("created"), "created"),
        "due_at": day(invoice.get("due_date"), "due_date"),
        "paid_at": day(transitions.get("paid_at"), "status_transitions.paid_at"),
        "amount": units(invoice.get("amount_due"), currency, "amount_due"),
        "amount_paid": units(invoice.get("amount_paid"), currency, "amount_paid"),
    }
    return {**invoice, "derived": derived}


def customer_record(
    customer: Mapping[str, Any], account_id: str, *, owns_account: bool
) -> dict[str, Any]:
    """``derived.new_name`` is set only when the customer owns its account row (see connector)."""
    name = customer.get("name") or customer.get("email") or customer.get("id")
    currency = customer.get("currency")
    derived = {
        "account_id": account_id,
        "new_name": name if owns_account else None,
        "domain": email_domain(customer.get("email")),
        "currency": str(currency).upper() if currency else None,
    }
    return {**customer, "derived": derived}
