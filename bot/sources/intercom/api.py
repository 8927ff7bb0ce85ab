"""The Intercom REST API (version 2.11) over plain ``httpx``: search, scroll, retries.

Intercom has no well-kept, permissively licensed Python client, and csbot needs only a
handful of calls, so this module speaks HTTP itself:

* ``POST /conversations/search`` and ``POST /contacts/search``: a query on ``updated_at``
  (``>``; Intercom has no ``>=``, so ``> since - 1``), sorted ascending, paged with
  ``pagination.starting_after`` from the answer's ``pages.next``;
* ``GET /companies/scroll``: every company (companies cannot be searched), following
  ``scroll_param`` until a page comes back empty;
* ``GET /contacts/{id}``: a conversation's contact that this run has not read.

Faults are retried here, a bounded number of times, through an injected ``sleep`` (tests
never wait for real): 429 waits for ``X-RateLimit-Reset`` (epoch seconds, against an
injected ``clock``) or ``Retry-After``; 5xx and unreachable back off 1, 2, 4… seconds. A
refused token (401/403) is not retried. What is given up on raises
:class:`IntercomError`, one line, never record values or the token.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.errors import IntegrationError

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.intercom.io"
API_VERSION = "2.11"
SEARCH_PAGE = 150  # Intercom's per_page maximum for search
MAX_ATTEMPTS = 6
MAX_WAIT_SECONDS = 120.0
TIMEOUT_SECONDS = 30.0


class IntercomError(IntegrationError):
    """Intercom refused or kept failing; the message says which call and why."""


class IntercomAuthError(IntercomError):
    """The access token was refused (401/403)."""


@dataclass
class IntercomApi:
    """The calls csbot makes to Intercom, with retries through an injectable ``sleep``."""

    token: str
    base_url: str = DEFAULT_BASE_URL
    sleep: Callable[[float], None] = time.sleep  # tests inject a recorder: no real waiting
    clock: Callable[[], float] = time.time  # for X-RateLimit-Reset (epoch seconds)
    max_attempts: int = MAX_ATTEMPTS
    page_size: int = SEARCH_PAGE
    _http: httpx.Client | None = field(default=None, repr=False)

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(
                base_url=self.base_url.rstrip("/"),
                timeout=TIMEOUT_SECONDS,
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Accept": "application/json",
                    "Intercom-Version": API_VERSION,
                },
            )
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    # --- reading ----------------------------------------------------------------------
    def search(
        self, kind: str, *, since: int, extra: list[dict[str, Any]] | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of ``kind`` (``conversations``, ``contacts``) updated at or after ``since``.

        Oldest first (``updated_at`` ascending), one list per API page, following
        ``pages.next.starting_after`` to the end.
        """
        conditions: list[dict[str, Any]] = [
            {"field": "updated_at", "operator": ">", "value": str(since - 1)}
        ]
        conditions.extend(extra or [])
        starting_after: str | None = None
        while True:
            pagination: dict[str, Any] = {"per_page": self.page_size}
            if starting_after:
                pagination["starting_after"] = starting_after
            body = {
                "query": {"operator": "AND", "value": conditions},
                "sort": {"field": "updated_at", "order": "ascending"},
                "pagination": pagination,
            }
            page = self._call("POST", f"/{kind}/search", json=body)
            items = page.get(kind if kind == "conversations" else "data") or []
            yield list(items)
            following = (page.get("pages") or {}).get("next") or {}
            starting_after = (
                following.get("starting_after") if isinstance(following, dict) else None
            )
            if not starting_after or not items:
                return

    def companies(self) -> Iterator[dict[str, Any]]:
        """Every company, through the scroll API (until a page comes back empty)."""
        scroll_param: str | None = None
        while True:
            params = {"scroll_param": scroll_param} if scroll_param else None
            page = self._call("GET", "/companies/scroll", params=params)
            items = page.get("data") or []
            if not items:
                return
            yield from items
            scroll_param = page.get("scroll_param")
            if not scroll_param:
                return

    def contact(self, contact_id: str) -> dict[str, Any] | None:
        """One contact, or None when Intercom no longer has it (404)."""
        try:
            return self._call("GET", f"/contacts/{contact_id}")
        except IntercomNotFound:
            return None

    # --- one call, retried ------------------------------------------------------------
    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        label = f"{method} {path.split('?')[0]}"
        if path.startswith("/contacts/") and path.count("/") == 2:
            label = f"{method} /contacts/{{id}}"
        last = ""
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self.http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                last = f"Intercom unreachable ({type(exc).__name__})"
                if attempt == self.max_attempts:
                    raise IntercomError(f"{label}: {last} after {attempt} attempts") from None
                self.sleep(_backoff(attempt))
                continue
            status = response.status_code
            if status < 300:
                try:
                    payload = response.json()
                except ValueError:
                    raise IntercomError(f"{label}: the answer is not JSON") from None
                return payload if isinstance(payload, dict) else {}
            if status in (401, 403):
                refused = "the token was refused" if status == 401 else "access was refused"
                raise IntercomAuthError(f"{label}: {refused} (HTTP {status}: {_message(response)})")
            if status == 404:
                raise IntercomNotFound(f"{label}: not found (HTTP 404)")
            if status == 429 or status >= 500:
                last = f"HTTP {status}"
                if attempt == self.max_attempts:
                    break
                wait = self._rate_wait(response) if status == 429 else None
                wait = _backoff(attempt) if wait is None else wait
                logger.warning(
                    "intercom call retried",
                    extra={"call": label, "status": status, "attempt": attempt, "wait": wait},
                )
                self.sleep(wait)
                continue
            raise IntercomError(f"{label}: refused (HTTP {status}: {_message(response)})")
        raise IntercomError(
            f"{label}: still failing after {self.max_attempts} attempts (last {last})"
        )

    def _rate_wait(self, response: httpx.Response) -> float | None:
        """Seconds until the limit resets: ``X-RateLimit-Reset``, else ``Retry-After``."""
        reset = response.headers.get("X-RateLimit-Reset")
        if reset:
            try:
                return min(max(float(reset) - self.clock(), 0.0), MAX_WAIT_SECONDS)
            except ValueError:
                pass
        retry_after = response.headers.get("Retry-After")
        if retry_after:
            try:
                return min(max(float(retry_after), 0.0), MAX_WAIT_SECONDS)
            except ValueError:
                pass
        return None


class IntercomNotFound(IntercomError):
    """The record or route does not exist (404)."""


def _backoff(attempt: int) -> float:
    return float(min(2 ** (attempt - 1), MAX_WAIT_SECONDS))


def _message(response: httpx.Response) -> str:
    """The first error's message from Intercom's ``error.list`` (never the request)."""
    try:
        errors = response.json().get("errors") or []
        first = errors[0] if errors else {}
        return str(first.get("message") or first.get("code") or "error")[:200]
    except (ValueError, AttributeError, IndexError, TypeError):
        return "error"
