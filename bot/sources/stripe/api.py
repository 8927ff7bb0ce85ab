"""The Stripe calls csbot makes, over the official ``stripe`` library, with bounded retries.

``StripeClient(api_key, base_addresses={"api": base_url}, max_network_retries=0)``: the
base address points every call at ``CSBOT_STRIPE_BASE_URL`` (a local fake in tests) and
the library's own retries are off, because they sleep for real inside the library.
:class:`StripeApi` retries 429 (Stripe rarely sends ``Retry-After``: exponential backoff,
or the header when present) and 5xx / connection errors itself, through an injected
``sleep``, a bounded number of times; a refused key (401/403) fails at once.

Lists are read with ``limit`` and ``starting_after`` (the last id of the page) while
``has_more``; events the same way, filtered by ``created[gte]`` and ``types``.

Calls go through ``StripeClient.raw_request`` (the library's own request path: auth,
parameter encoding, error classes by status) and hand on the parsed JSON as plain
dicts. The typed services would build a ``StripeObject`` tree for every object, which
measured ~2.7 ms per invoice-sized object here, ten times the HTTP and JSON cost; the
mapping only needs the JSON.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.errors import IntegrationError

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.stripe.com"
PAGE_LIMIT = 100
MAX_ATTEMPTS = 6
MAX_WAIT_SECONDS = 60.0
# The list endpoints csbot reads, and the params each needs to return everything.
LISTS: dict[str, dict[str, Any]] = {
    "customers": {},
    "subscriptions": {"status": "all"},  # the default leaves canceled subscriptions out
    "invoices": {},
}


class StripeError(IntegrationError):
    """Stripe refused or kept failing; the message says which call and why (never a key)."""


class StripeAuthError(StripeError):
    """The API key was refused (401/403)."""


@dataclass(frozen=True)
class ListPage:
    """One page of a list: its objects (as dicts) and whether more follow."""

    data: list[dict[str, Any]]
    has_more: bool


@dataclass
class StripeApi:
    """List paging, events and single reads, retried through an injectable ``sleep``."""

    api_key: str
    base_url: str = DEFAULT_BASE_URL
    sleep: Callable[[float], None] = time.sleep  # tests inject a recorder: no real waiting
    max_attempts: int = MAX_ATTEMPTS
    page_limit: int = PAGE_LIMIT
    _client: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        import stripe

        self._client = stripe.StripeClient(
            self.api_key,
            base_addresses={"api": self.base_url.rstrip("/")},
            max_network_retries=0,
        )

    def list_pages(self, resource: str, *, starting_after: str | None = None) -> Iterator[ListPage]:
        """Every page of ``/v1/{resource}`` (newest first), from after ``starting_after``."""
        params: dict[str, Any] = {**LISTS.get(resource, {}), "limit": self.page_limit}
        after = starting_after
        while True:
            page = self._get(f"/v1/{resource}", {**params, **_after(after)})
            data = list(page.get("data") or [])
            has_more = bool(page.get("has_more"))
            yield ListPage(data, has_more)
            if not has_more or not data:
                return
            after = data[-1]["id"]

    def events(
        self, types: Sequence[str], *, created_gte: int = 0, limit: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """Events of ``types`` created at or after ``created_gte``, newest first, as listed."""
        params: dict[str, Any] = {"types": list(types), "limit": limit or self.page_limit}
        if created_gte:
            params["created"] = {"gte": created_gte}
        after: str | None = None
        while True:
            page = self._get("/v1/events", {**params, **_after(after)})
            data = list(page.get("data") or [])
            yield from data
            if limit or not page.get("has_more") or not data:
                return
            after = data[-1]["id"]

    def subscription_items(self, subscription_id: str) -> list[dict[str, Any]]:
        """Every item of a subscription, when its embedded ``items`` list has more."""
        items: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            params = {"subscription": subscription_id, "limit": self.page_limit, **_after(after)}
            page = self._get("/v1/subscription_items", params)
            data = list(page.get("data") or [])
            items.extend(data)
            if not page.get("has_more") or not data:
                return items
            after = data[-1]["id"]

    def customer(self, customer_id: str) -> dict[str, Any]:
        """One customer (a deleted one answers ``{"id", "deleted": true}``)."""
        if not customer_id.replace("_", "").isalnum():
            raise StripeError(f"stripe: GET /v1/customers/{{id}}: {customer_id!r} is not an id")
        return self._get(f"/v1/customers/{customer_id}", {}, what="GET /v1/customers/{id}")

    def _get(self, path: str, params: dict[str, Any], *, what: str | None = None) -> dict[str, Any]:
        response = self._call(
            what or f"GET {path}", lambda: self._client.raw_request("get", path, **params)
        )
        data = response.data
        if not isinstance(data, dict):
            raise StripeError(f"stripe: {what or 'GET ' + path}: the answer is not a JSON object")
        return data

    def _call(self, what: str, call: Callable[[], Any]) -> Any:
        """One API call, retried on 429 and 5xx/connection errors, with bounded backoff."""
        import stripe

        for attempt in range(1, self.max_attempts + 1):
            try:
                return call()
            except (stripe.AuthenticationError, stripe.PermissionError) as exc:
                raise StripeAuthError(
                    f"stripe: {what}: the API key was refused (HTTP {exc.http_status}); "
                    "check CSBOT_STRIPE_API_KEY (a restricted key needs read access to "
                    "customers, subscriptions, invoices and events)"
                ) from None
            except stripe.StripeError as exc:
                status = int(exc.http_status or 0)
                retryable = status == 429 or status >= 500 or status == 0
                if not retryable:
                    raise StripeError(
                        f"stripe: {what}: HTTP {status}: {exc.user_message or type(exc).__name__}"
                    ) from None
                if attempt == self.max_attempts:
                    last = f"HTTP {status}" if status else type(exc).__name__
                    raise StripeError(
                        f"stripe: {what}: still failing after {attempt} attempts (last {last})"
                    ) from None
                wait = _retry_after(exc) if status == 429 else None
                if wait is None:
                    wait = min(2.0 ** (attempt - 1), MAX_WAIT_SECONDS)
                logger.warning(
                    "stripe call failed; retrying",
                    extra={"call": what, "status": status, "attempt": attempt, "wait": wait},
                )
                self.sleep(wait)
        raise AssertionError("unreachable")


def _after(object_id: str | None) -> dict[str, str]:
    return {"starting_after": object_id} if object_id else {}


def _retry_after(exc: Any) -> float | None:
    """Stripe seldom sends ``Retry-After`` on a 429; honour it (bounded) when it does."""
    headers = getattr(exc, "headers", None) or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return min(max(float(value), 0.0), MAX_WAIT_SECONDS) if value is not None else None
    except ValueError:
        return None
