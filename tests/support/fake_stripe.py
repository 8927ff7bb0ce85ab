"""FakeStripe: a local Stripe API that the official ``stripe`` library talks to.

Stripe is faked only at the HTTP boundary: csbot builds its ordinary
``stripe.StripeClient`` with ``base_addresses={"api": fake.base_url}`` and everything
between (form encoding of ``types[0]``/``created[gte]``, bearer auth, ``StripeObject``
building, error classes by status) is the library's own code. Object shapes come from
Stripe's published example objects in
``/work/shared/datasets/stripe-fixtures/fixtures3.json`` (read at start, never copied into
the repository; see PROVENANCE.md there): each generated customer, subscription (with
its ``items.data[0]`` and its price), invoice and event is the fixture's object with its
values replaced.

What it serves:

* ``GET /v1/customers``, ``/v1/subscriptions`` (``status=all``, else canceled ones are
  left out, as Stripe does), ``/v1/invoices``: newest first, ``limit`` 1–100 (else
  400), ``starting_after`` paging with ``has_more``;
* ``GET /v1/customers/{id}`` (a deleted customer answers ``{"id", "object", "deleted": true}``);
* ``GET /v1/events``: newest first, ``types[]`` (exact names), ``type`` (``*`` wildcard),
  ``created[gte|gt|lte|lt]``, ``starting_after`` paging;
* faults (:meth:`FakeStripe.add_fault`): any status on the n-th matching request (a 429
  carries no ``Retry-After``, as Stripe's usually do not); a wrong key always gets 401.

Changes made through :meth:`update`, :meth:`delete_customer`, :meth:`add_invoice`… are
stamped with the fake's clock and recorded as events, the way Stripe does.
"""

from __future__ import annotations

import copy
import itertools
import json
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FIXTURES = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "datasets"
    / "stripe-fixtures"
    / "fixtures3.json"
)
GENERATED_AT = 1_772_438_400  # 2026-03-02T08:00:00Z: the fake's clock starts here
DAY = 86_400
EVENTS_KEPT_DAYS = 30  # GET /v1/events answers only the last 30 days
LIST_LIMIT_MAX = 100
EMBEDDED_ITEMS = 10  # items embedded in a listed subscription; the rest via /v1/subscription_items
KINDS = ("customers", "subscriptions", "invoices")
OBJECT_OF = {"customers": "customer", "subscriptions": "subscription", "invoices": "invoice"}


def _resources() -> dict[str, Any]:
    return json.loads(FIXTURES.read_text(encoding="utf-8"))["resources"]


@dataclass
class Fault:
    """Answer ``status`` instead of the real thing on matching requests.

    ``match`` is a substring of ``METHOD /path`` (``"GET /v1/invoices"``); the first
    ``skip`` matching requests pass, the next ``times`` fail.
    """

    match: str
    status: int = 500
    skip: int = 0
    times: int = 1
    retry_after: int | None = None
    seen: int = 0


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    status: int = 200


@dataclass
class FakeStripe:
    """A running fake Stripe account (see the module docstring)."""

    api_key: str = "sk_test_fake_0000"
    objects: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {kind: {} for kind in KINDS}
    )
    deleted_customers: set[str] = field(default_factory=set)
    events: list[dict[str, Any]] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    now: int = GENERATED_AT
    _templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    _seq: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _holds: list[list[Any]] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        resources = _resources()
        for name in ("customer", "subscription", "invoice", "event"):
            self._templates[name] = resources[name]

    # --- lifecycle --------------------------------------------------------------------
    def start(self) -> FakeStripe:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """What ``CSBOT_STRIPE_BASE_URL`` should be set to."""
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- data -------------------------------------------------------------------------
    def tick(self, seconds: int = 1) -> int:
        with self._lock:
            self.now += seconds
            return self.now

    def _id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._seq):014d}"

    def add_customer(
        self, name: str, email: str | None, *, account_id: str | None = None, currency: str = "usd"
    ) -> dict[str, Any]:
        customer = copy.deepcopy(self._templates["customer"])
        customer.update(
            id=self._id("cus"),
            name=name,
            email=email,
            created=self.now,
            currency=currency,
            discount=None,
            metadata={"csbot_account_id": account_id} if account_id else {},
        )
        return self._created("customers", customer)

    def add_subscription(
        self,
        customer_id: str,
        items: list[tuple[int, int, str, int]],
        *,
        status: str = "active",
        start: int | None = None,
        cancel_at_period_end: bool = False,
        currency: str | None = None,
    ) -> dict[str, Any]:
        """``items``: (unit_amount in cents, quantity, interval, interval_count)."""
        template = self._templates["subscription"]
        item_template = template["items"]["data"][0]
        sub_id = self._id("sub")
        start = self.now - 30 * DAY if start is None else start
        currency = currency or self.objects["customers"][customer_id].get("currency") or "usd"
        data = []
        for unit_amount, quantity, interval, count in items:
            item = copy.deepcopy(item_template)
            length = {"day": DAY, "week": 7 * DAY, "month": 30 * DAY, "year": 365 * DAY}
            item.update(
                id=self._id("si"),
                subscription=sub_id,
                quantity=quantity,
                current_period_start=start,
                current_period_end=start + length[interval] * count,
                created=start,
            )
            item["price"].update(
                id=self._id("price"),
                unit_amount=unit_amount,
                unit_amount_decimal=str(unit_amount),
                currency=currency,
            )
            item["price"]["recurring"].update(interval=interval, interval_count=count)
            item["plan"].update(interval=interval, interval_count=count, amount=unit_amount)
            data.append(item)
        subscription = copy.deepcopy(template)
        subscription.update(
            id=sub_id,
            customer=customer_id,
            status=status,
            currency=currency,
            created=start,
            start_date=start,
            billing_cycle_anchor=start,
            cancel_at_period_end=cancel_at_period_end,
            cancel_at=None,
            canceled_at=self.now if status == "canceled" else None,
            ended_at=self.now if status == "canceled" else None,
            trial_start=None,
            trial_end=None,
            pending_update=None,
            items={
                **template["items"],
                "data": data,
                "url": f"/v1/subscription_items?subscription={sub_id}",
            },
        )
        subscription["_all_items"] = data
        return self._created("subscriptions", subscription)

    def add_invoice(
        self,
        customer_id: str,
        amount_due: int,
        *,
        status: str = "paid",
        subscription_id: str | None = None,
        created: int | None = None,
        due_days: int = 30,
        attempt_count: int | None = None,
    ) -> dict[str, Any]:
        invoice = copy.deepcopy(self._templates["invoice"])
        created = self.now if created is None else created
        paid = status == "paid"
        invoice.update(
            id=self._id("in"),
            customer=customer_id,
            subscription=subscription_id,
            status=status,
            created=created,
            effective_at=created,
            period_start=created,
            period_end=created,
            due_date=created + due_days * DAY,
            amount_due=amount_due,
            total=amount_due,
            subtotal=amount_due,
            amount_paid=amount_due if paid else 0,
            amount_remaining=0 if paid else amount_due,
            attempt_count=(1 if paid else 0) if attempt_count is None else attempt_count,
            attempted=paid or bool(attempt_count),
            currency=self.objects["customers"][customer_id].get("currency") or "usd",
            status_transitions={
                "finalized_at": None if status == "draft" else created,
                "paid_at": created + DAY if paid else None,
                "marked_uncollectible_at": created + DAY if status == "uncollectible" else None,
                "voided_at": created + DAY if status == "void" else None,
            },
        )
        invoice["lines"]["data"][0].update(amount=amount_due, invoice=invoice["id"])
        return self._created("invoices", invoice)

    def generate(self, customers: int, *, invoices_per_customer: int = 2, seed: int = 13) -> None:
        """``customers`` customers, each with a subscription and some invoices, and their events.

        Every third customer carries ``metadata.csbot_account_id`` (``acct-N``); the rest
        are linked by their own id. Statuses and prices vary by a fixed seed.
        """
        rng = random.Random(seed)
        with self._lock:
            for n in range(customers):
                account_id = f"acct-{n:05d}" if n % 3 == 0 else None
                customer = self.add_customer(
                    f"Customer {n:05d} Inc",
                    f"billing@customer{n:05d}.example",
                    account_id=account_id,
                )
                interval = rng.choice(["month", "month", "year"])
                items = [(rng.choice([2000, 4900, 9900, 25000]), rng.randint(1, 40), interval, 1)]
                if rng.random() < 0.3:
                    items.append((rng.choice([500, 1500]), rng.randint(1, 5), "month", 1))
                status = rng.choices(
                    ["active", "trialing", "past_due", "canceled"], weights=[80, 5, 8, 7]
                )[0]
                subscription = self.add_subscription(
                    customer["id"],
                    items,
                    status=status,
                    start=self.now - rng.randint(1, 25) * DAY,
                    cancel_at_period_end=rng.random() < 0.1,
                )
                for k in range(invoices_per_customer):
                    self.add_invoice(
                        customer["id"],
                        rng.choice([2000, 9900, 49500, 120000]),
                        status=rng.choices(
                            ["paid", "open", "void", "uncollectible", "draft"],
                            weights=[70, 15, 5, 5, 5],
                        )[0],
                        subscription_id=subscription["id"],
                        created=self.now - (k + 1) * 30 * DAY,
                        attempt_count=rng.choice([0, 0, 1]) if k == 0 else None,
                    )

    def update(
        self, kind: str, object_id: str, event_type: str | None = None, **values: Any
    ) -> dict[str, Any]:
        """Change an object and record its event (``customer.updated`` unless given)."""
        with self._lock:
            obj = self.objects[kind][object_id]
            previous = {key: obj.get(key) for key in values}
            obj.update(values)
            default = {
                "customers": "customer.updated",
                "subscriptions": "customer.subscription.updated",
                "invoices": "invoice.updated",
            }[kind]
            self._event(event_type or default, obj, previous)
            return obj

    def pay_invoice(self, invoice_id: str) -> None:
        invoice = self.objects["invoices"][invoice_id]
        self.update(
            "invoices",
            invoice_id,
            "invoice.paid",
            status="paid",
            amount_paid=invoice["amount_due"],
            amount_remaining=0,
            status_transitions={**invoice["status_transitions"], "paid_at": self.now},
        )

    def fail_payment(self, invoice_id: str) -> None:
        invoice = self.objects["invoices"][invoice_id]
        self.update(
            "invoices",
            invoice_id,
            "invoice.payment_failed",
            attempt_count=(invoice.get("attempt_count") or 0) + 1,
            attempted=True,
        )

    def void_invoice(self, invoice_id: str) -> None:
        invoice = self.objects["invoices"][invoice_id]
        self.update(
            "invoices",
            invoice_id,
            "invoice.voided",
            status="void",
            amount_remaining=0,
            status_transitions={**invoice["status_transitions"], "voided_at": self.now},
        )

    def cancel_subscription(self, subscription_id: str) -> None:
        self.update(
            "subscriptions",
            subscription_id,
            "customer.subscription.deleted",
            status="canceled",
            canceled_at=self.now,
            ended_at=self.now,
        )

    def delete_customer(self, customer_id: str) -> None:
        with self._lock:
            customer = self.objects["customers"].pop(customer_id)
            self.deleted_customers.add(customer_id)
            self._event("customer.deleted", customer, None)

    def _created(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.objects[kind][obj["id"]] = obj
            prefix = {"customers": "customer", "subscriptions": "customer.subscription"}.get(
                kind, "invoice"
            )
            self._event(f"{prefix}.created", obj, None)
            return obj

    def _event(self, event_type: str, obj: dict[str, Any], previous: dict[str, Any] | None) -> None:
        event = copy.deepcopy(self._templates["event"])
        data: dict[str, Any] = {"object": copy.deepcopy(_served(obj))}
        if previous is not None:
            data["previous_attributes"] = copy.deepcopy(previous)
        event.update(id=self._id("evt"), created=self.now, type=event_type, data=data)
        self.events.append(event)

    def calls(self, match: str) -> list[RecordedRequest]:
        return [r for r in self.requests if match in f"{r.method} {r.path}"]

    def hold(self, match: str, after: int = 0) -> tuple[threading.Event, threading.Event]:
        """Block the ``after + 1``-th request matching ``match`` until ``release`` is set.

        Returns ``(reached, release)``: for killing a sync at a known point (kill -9 tests).
        """
        reached, release = threading.Event(), threading.Event()
        self._holds.append([match, after, reached, release])
        return reached, release

    def add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
            return fault

    # --- request handling ------------------------------------------------------------
    def handle(
        self, method: str, path: str, query: dict[str, list[str]], auth: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        for held in self._holds:  # outside the lock: other requests go on meanwhile
            if held[0] in f"{method} {path}":
                held[1] -= 1
                if held[1] == -1:
                    held[2].set()
                    held[3].wait(120)
        with self._lock:
            recorded = RecordedRequest(method, path, query)
            self.requests.append(recorded)
            status, payload, headers = self._route(method, path, query, auth)
            recorded.status = status
            return status, payload, headers

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], auth: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if auth != f"Bearer {self.api_key}":
            key = (auth or "").removeprefix("Bearer ")
            return (
                401,
                _error(f"Invalid API Key provided: {key[:8]}****", "invalid_request_error"),
                {},
            )
        fault = self._due_fault(f"{method} {path}")
        if fault is not None:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
            if fault.status == 429:
                payload = _error(
                    "Request rate limit exceeded.", "invalid_request_error", code="rate_limit"
                )
            else:
                payload = _error("An unknown error occurred", "api_error")
            return fault.status, payload, headers
        one = {key: values[-1] for key, values in query.items()}
        parts = [part for part in path.split("/") if part]
        if method != "GET" or parts[:1] != ["v1"]:
            return (
                404,
                _error(f"Unrecognized request URL ({method}: {path}).", "invalid_request_error"),
                {},
            )
        if len(parts) == 2 and parts[1] in KINDS:
            items = sorted(
                self.objects[parts[1]].values(), key=lambda o: (o["created"], o["id"]), reverse=True
            )
            items = [_served(o) for o in items]
            if parts[1] == "subscriptions" and one.get("status") != "all":
                items = [o for o in items if o["status"] not in ("canceled", "incomplete_expired")]
            return self._page(f"/v1/{parts[1]}", items, one)
        if parts[1:] == ["subscription_items"]:
            sub = self.objects["subscriptions"].get(one.get("subscription", ""))
            if sub is None:
                return (
                    400,
                    _error("Missing required param: subscription.", "invalid_request_error"),
                    {},
                )
            return self._page("/v1/subscription_items", sub["_all_items"], one)
        if len(parts) == 3 and parts[1] == "customers":
            customer_id = parts[2]
            if customer_id in self.deleted_customers:
                return 200, {"id": customer_id, "object": "customer", "deleted": True}, {}
            found = self.objects["customers"].get(customer_id)
            if found is None:
                return (
                    404,
                    _error(f"No such customer: '{customer_id}'", "invalid_request_error"),
                    {},
                )
            return 200, found, {}
        if parts == ["v1", "events"]:
            return self._page("/v1/events", self._events(query, one), one)
        return 404, _error(f"Unrecognized request URL (GET: {path}).", "invalid_request_error"), {}

    def _events(self, query: dict[str, list[str]], one: dict[str, str]) -> list[dict[str, Any]]:
        types = [values[-1] for key, values in query.items() if key.startswith("types[")]
        pattern = one.get("type")
        found = []
        kept_from = self.now - EVENTS_KEPT_DAYS * DAY
        for event in reversed(self.events):  # newest first
            if event["created"] < kept_from:  # Stripe keeps events for 30 days
                break
            if types and event["type"] not in types:
                continue
            if pattern and not _wildcard(pattern, event["type"]):
                continue
            created = event["created"]
            bounds = {
                op: int(one[f"created[{op}]"])
                for op in ("gt", "gte", "lt", "lte")
                if f"created[{op}]" in one
            }
            if "gt" in bounds and not created > bounds["gt"]:
                continue
            if "gte" in bounds and not created >= bounds["gte"]:
                continue
            if "lt" in bounds and not created < bounds["lt"]:
                continue
            if "lte" in bounds and not created <= bounds["lte"]:
                continue
            found.append(event)
        return found

    def _page(
        self, url: str, items: list[dict[str, Any]], one: dict[str, str]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        try:
            limit = int(one.get("limit", "10"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= LIST_LIMIT_MAX:
            return (
                400,
                _error("Invalid limit: must be between 1 and 100", "invalid_request_error"),
                {},
            )
        start = 0
        after = one.get("starting_after")
        if after:
            ids = [item["id"] for item in items]
            if after not in ids:
                return 400, _error(f"No such object: '{after}'", "invalid_request_error"), {}
            start = ids.index(after) + 1
        data = items[start : start + limit]
        return (
            200,
            {"object": "list", "url": url, "has_more": start + limit < len(items), "data": data},
            {},
        )

    def _due_fault(self, line: str) -> Fault | None:
        for fault in self.faults:
            if fault.match in line:
                fault.seen += 1
                if fault.skip < fault.seen <= fault.skip + fault.times:
                    return fault
        return None


def _served(obj: dict[str, Any]) -> dict[str, Any]:
    """A subscription as listed: at most ``EMBEDDED_ITEMS`` items embedded, ``has_more`` set."""
    if "_all_items" not in obj:
        return obj
    shown = {key: value for key, value in obj.items() if key != "_all_items"}
    every = obj["_all_items"]
    shown["items"] = {
        **obj["items"],
        "data": every[:EMBEDDED_ITEMS],
        "has_more": len(every) > EMBEDDED_ITEMS,
    }
    return shown


def _wildcard(pattern: str, name: str) -> bool:
    if pattern.endswith("*"):
        return name.startswith(pattern[:-1])
    return name == pattern


def _error(message: str, kind: str, *, code: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"type": kind, "message": message}
    if code:
        error["code"] = code
    return {"error": error}


def _handler_for(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
            """Silence the default stderr access log."""

        def do_GET(self) -> None:  # noqa: N802 - stdlib naming
            split = urlsplit(self.path)
            status, payload, headers = fake.handle(
                "GET", split.path, parse_qs(split.query), self.headers.get("authorization")
            )
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.send_header("request-id", f"req_{next(fake._seq):014d}")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler
