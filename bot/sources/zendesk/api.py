"""Zendesk Support API v2 over plain ``httpx``: incremental cursor exports, lists, retries.

No Zendesk client library: the one with the widest use (zenpy) is GPL-3.0, and the
handful of calls csbot makes are simple JSON GETs.

* Tickets and users come from the **incremental cursor exports**
  (``/api/v2/incremental/{tickets,users}/cursor.json``): the first call sends
  ``start_time``, every later one the previous page's ``after_cursor``; the stream ends
  when ``end_of_stream`` is true, and that page's ``after_cursor`` is where the next run
  starts (a run with no changes gets an empty page back). The cursor is Zendesk's own
  opaque text, stored as is.
* Organizations are listed with cursor pagination (``page[size]``, ``meta.has_more``,
  ``links.next``).

Faults: a 429 waits its ``Retry-After`` (Zendesk always sends one), a 5xx or a dropped
connection waits 1, 2, 4… seconds, through an injected ``sleep`` and at most
``max_attempts`` times; then :class:`ZendeskError` says which call gave up and why.
401/403 are not retried.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.errors import IntegrationError

logger = logging.getLogger(__name__)

EXPORT_PAGE = 1000  # Zendesk's maximum per_page for the incremental cursor exports
LIST_PAGE = 100
MAX_ATTEMPTS = 6
MAX_WAIT_SECONDS = 120.0
TIMEOUT_SECONDS = 60.0


class ZendeskError(IntegrationError):
    """Zendesk refused or kept failing; the message names the call, never a record."""


@dataclass(frozen=True, slots=True)
class ExportPage:
    """One page of an incremental cursor export."""

    records: list[dict[str, Any]]
    after_cursor: str | None
    end_of_stream: bool


@dataclass
class ZendeskApi:
    """The calls csbot makes to Zendesk, retried through an injectable ``sleep``."""

    base_url: str
    email: str | None = None
    api_token: str | None = None
    oauth_token: str | None = None
    sleep: Callable[[float], None] = time.sleep  # tests inject a recorder: no real waiting
    max_attempts: int = MAX_ATTEMPTS
    export_page: int = EXPORT_PAGE
    _client: httpx.Client | None = field(default=None, repr=False)

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                base_url=self.base_url.rstrip("/"),
                headers={"Authorization": self._authorization(), "Accept": "application/json"},
                timeout=TIMEOUT_SECONDS,
            )
        return self._client

    def _authorization(self) -> str:
        if self.oauth_token:
            return f"Bearer {self.oauth_token}"
        if self.email and self.api_token:
            pair = f"{self.email}/token:{self.api_token}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        raise ZendeskError("zendesk: set an API token with its email, or an OAuth token")

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # --- reading ----------------------------------------------------------------------
    def export(self, kind: str, cursor: str | None, *, start_time: int = 0) -> Iterator[ExportPage]:
        """The incremental cursor export of ``kind`` (tickets, users) after ``cursor``."""
        path = f"/api/v2/incremental/{kind}/cursor.json"
        params: dict[str, Any] = {"per_page": self.export_page}
        if cursor:
            params["cursor"] = cursor
        else:
            params["start_time"] = start_time
        while True:
            body = self.get(path, params)
            records = body.get(kind)
            if not isinstance(records, list):
                raise ZendeskError(f"GET {path}: the answer has no {kind!r} list")
            page = ExportPage(
                records=records,
                after_cursor=body.get("after_cursor") or params.get("cursor"),
                end_of_stream=bool(body.get("end_of_stream")),
            )
            yield page
            if page.end_of_stream or not page.after_cursor:
                return
            params = {"per_page": self.export_page, "cursor": page.after_cursor}

    def organizations(self) -> Iterator[dict[str, Any]]:
        """Every organization, following cursor pagination (``meta.after_cursor``)."""
        path = "/api/v2/organizations.json"
        params: dict[str, Any] = {"page[size]": LIST_PAGE}
        while True:
            body = self.get(path, params)
            yield from body.get("organizations") or []
            meta = body.get("meta") or {}
            if not meta.get("has_more") or not meta.get("after_cursor"):
                return
            params = {"page[size]": LIST_PAGE, "page[after]": meta["after_cursor"]}

    # --- transport --------------------------------------------------------------------
    def get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """One GET, retried within bounds; the JSON body."""
        call = f"GET {path}"
        last = ""
        for attempt in range(1, self.max_attempts + 1):
            wait: float
            try:
                response = self._http().get(path, params=params)
            except httpx.TransportError as exc:
                last = f"Zendesk unreachable ({type(exc).__name__})"
                wait = _backoff(attempt)
            else:
                status = response.status_code
                if status == 200:
                    try:
                        body = response.json()
                    except ValueError:
                        raise ZendeskError(f"{call}: the answer is not JSON") from None
                    if not isinstance(body, dict):
                        raise ZendeskError(f"{call}: the answer is not a JSON object")
                    return body
                if status in (401, 403):
                    raise ZendeskError(f"{call}: the credentials were refused (HTTP {status})")
                if status != 429 and status < 500:
                    raise ZendeskError(f"{call}: HTTP {status} {_error_text(response)}".rstrip())
                last = f"last HTTP {status}"
                wait = (_retry_after(response) if status == 429 else None) or _backoff(attempt)
            if attempt == self.max_attempts:
                break
            logger.warning(
                "zendesk.retry", extra={"call": call, "attempt": attempt, "wait_seconds": wait}
            )
            self.sleep(wait)
        raise ZendeskError(f"{call}: still failing after {self.max_attempts} attempts ({last})")


def _backoff(attempt: int) -> float:
    return float(min(2 ** (attempt - 1), MAX_WAIT_SECONDS))


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return min(max(float(value), 0.0), MAX_WAIT_SECONDS)
    except ValueError:
        return None


def _error_text(response: httpx.Response) -> str:
    """Zendesk's error name (``RecordNotFound``), never a record's content."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            error = error.get("title") or error.get("message")
        return str(error or "")[:120]
    return ""
