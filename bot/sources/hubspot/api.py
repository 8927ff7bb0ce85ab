"""HubSpot CRM v3 over the official ``hubspot-api-client``: paging, search, retries.

The client honours a custom base URL: ``hubspot.Client.create(host=...)`` is copied onto
each API package's ``Configuration`` (whose ``host`` setter replaces the base path), so
``CSBOT_HUBSPOT_BASE_URL`` points every call at a local server with no patching.

urllib3's own retry is switched off (``Retry(total=0, respect_retry_after_header=False)``):
by default it would sleep out a 429's ``Retry-After`` inside the library, invisibly and
for real. Instead :class:`HubSpotApi` retries 429 (waiting ``Retry-After``) and 5xx
(exponential backoff) itself, through an injected ``sleep``, a bounded number of times.

Search (increments) is capped by HubSpot at 10,000 results per query; past that the
API refuses ``after``. :meth:`HubSpotApi.modified_since` therefore searches again from
the last modification time it saw (GTE, ids already seen skipped) for every page, so
any number of changes is read, and a record modified mid-read shifts nothing out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.errors import IntegrationError

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.hubapi.com"
LIST_PAGE = 100
SEARCH_PAGE = 200
SEARCH_CAP = 10_000
BATCH_UPDATE_MAX = 100
ASSOCIATIONS_BATCH = 1000
MAX_ATTEMPTS = 6
MAX_WAIT_SECONDS = 120.0
# Where each object type keeps its last-modified date (searchable, sortable).
MODIFIED_PROPERTY = {
    "companies": "hs_lastmodifieddate",
    "contacts": "lastmodifieddate",
    "deals": "hs_lastmodifieddate",
}


class HubSpotError(IntegrationError):
    """HubSpot refused or kept failing; the message says which call and why."""


class HubSpotAuthError(HubSpotError):
    """The private-app token was refused (401/403)."""


@dataclass(frozen=True)
class HubObject:
    """One CRM object as read: its id, text properties, and archive state."""

    kind: str
    id: str
    properties: dict[str, str | None]
    updated_at: datetime
    archived: bool = False
    archived_at: datetime | None = None


@dataclass(frozen=True)
class RecordFailure:
    """One record a batch call refused (the rest of the batch went through)."""

    id: str
    message: str


@dataclass
class HubSpotApi:
    """The calls csbot makes to HubSpot, with retries through an injectable ``sleep``."""

    token: str
    base_url: str = DEFAULT_BASE_URL
    sleep: Callable[[float], None] = time.sleep  # tests inject a recorder: no real waiting
    max_attempts: int = MAX_ATTEMPTS
    search_cap: int = SEARCH_CAP
    _client: Any = None

    def __post_init__(self) -> None:
        import hubspot
        from urllib3.util.retry import Retry

        no_retry = Retry(
            total=0,
            connect=0,
            read=0,
            status=0,
            redirect=0,
            respect_retry_after_header=False,
            raise_on_status=False,
        )
        self._client = hubspot.Client.create(
            access_token=self.token, host=self.base_url.rstrip("/"), retry=no_retry
        )

    # --- reading ----------------------------------------------------------------------
    def list_objects(
        self, kind: str, properties: list[str], *, archived: bool = False
    ) -> Iterator[HubObject]:
        """Every object of ``kind`` (or every archived one), following ``paging.next.after``."""
        api = getattr(self._client.crm, kind).basic_api
        after: str | None = None
        while True:
            page = self._call(
                f"GET /crm/v3/objects/{kind}",
                lambda after=after: api.get_page(
                    limit=LIST_PAGE, after=after, properties=properties, archived=archived
                ),
            )
            for item in page.results or []:
                yield _hub_object(kind, item)
            after = _next_after(page)
            if after is None:
                return

    def modified_since(
        self,
        kind: str,
        properties: list[str],
        *,
        since_ms: int = 0,
        seen: frozenset[str] = frozenset(),
    ) -> Iterator[HubObject]:
        """Objects modified at or after ``since_ms``, oldest first, however many there are.

        ``seen`` are ids already read at exactly ``since_ms`` (the previous run's last
        instant): they are skipped, so a re-run with no changes reads nothing new.

        Each page is a new search from the newest modification time read so far (GTE,
        the ids already read at that instant skipped), not the next ``after`` offset of
        one search: an offset moves when a record is modified mid-read (it jumps to the
        end and every later record shifts one place back, so one would be skipped), and
        HubSpot refuses offsets past 10,000 results per query. ``after`` is used only
        while a whole page shares one instant, bounded by that cap.
        """
        import importlib

        search_request = importlib.import_module(f"hubspot.crm.{kind}").PublicObjectSearchRequest
        api = getattr(self._client.crm, kind).search_api
        modified = MODIFIED_PROPERTY[kind]
        wanted = sorted({*properties, modified})
        floor_ms = since_ms
        seen_at_floor: set[str] = set(seen)
        after = 0
        while True:
            request = search_request(
                filter_groups=[
                    {
                        "filters": [
                            {"propertyName": modified, "operator": "GTE", "value": str(floor_ms)}
                        ]
                    }
                ],
                sorts=[{"propertyName": modified, "direction": "ASCENDING"}],
                properties=wanted,
                limit=SEARCH_PAGE,
                after=str(after) if after else None,
            )
            page = self._call(
                f"POST /crm/v3/objects/{kind}/search",
                lambda request=request: api.do_search(public_object_search_request=request),
            )
            found = [_hub_object(kind, item) for item in page.results or []]
            for item in found:
                if modified_ms(item) == floor_ms and item.id in seen_at_floor:
                    continue  # read already (this run, or the run the cursor came from)
                yield item
            next_after = _next_after(page)
            if next_after is None or not found:
                return
            newest_ms = max(modified_ms(item) for item in found)
            at_newest = {item.id for item in found if modified_ms(item) == newest_ms}
            if len(at_newest) == len(found) and (after == 0 or newest_ms == floor_ms):
                # The whole page is one instant: the same order goes on at ``after``.
                seen_at_floor = at_newest if newest_ms > floor_ms else seen_at_floor | at_newest
                floor_ms, after = newest_ms, int(next_after)
                if after + SEARCH_PAGE > self.search_cap:
                    raise HubSpotError(
                        f"hubspot {kind}: more than {self.search_cap} records share the "
                        f"modification time {floor_ms}; cannot page past HubSpot's search cap"
                    )
            else:
                floor_ms, after, seen_at_floor = newest_ms, 0, at_newest

    def owners(self) -> list[dict[str, Any]]:
        """Active owners (HubSpot users): id, email, first and last name, last update (ms)."""
        api = self._client.crm.owners.owners_api
        owners: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            page = self._call(
                "GET /crm/v3/owners",
                lambda after=after: api.get_page(limit=100, after=after, archived=False),
            )
            owners.extend(
                {
                    "id": str(owner.id),
                    "email": owner.email,
                    "first_name": owner.first_name,
                    "last_name": owner.last_name,
                    "updated_ms": _epoch_ms(owner.updated_at),
                }
                for owner in page.results or []
            )
            after = _next_after(page)
            if after is None:
                return owners

    def pipelines(self) -> dict[str, dict[str, Any]]:
        """Deal pipelines: id → label and stages (id → label, closed, probability)."""
        page = self._call(
            "GET /crm/v3/pipelines/deals",
            lambda: self._client.crm.pipelines.pipelines_api.get_all("deals"),
        )
        pipelines: dict[str, dict[str, Any]] = {}
        for pipeline in page.results or []:
            stages = {}
            for stage in pipeline.stages or []:
                metadata = stage.metadata or {}
                stages[str(stage.id)] = {
                    "label": stage.label,
                    "closed": str(metadata.get("isClosed", "false")).lower() == "true",
                    "probability": _float_or_none(metadata.get("probability")),
                }
            pipelines[str(pipeline.id)] = {"label": pipeline.label, "stages": stages}
        return pipelines

    def associations(
        self, from_kind: str, to_kind: str, ids: Iterable[str]
    ) -> dict[str, list[str]]:
        """For each ``from_kind`` id, the ``to_kind`` ids associated with it (v4 batch read)."""
        from hubspot.crm.associations.v4 import (
            BatchInputPublicFetchAssociationsBatchRequest,
            PublicFetchAssociationsBatchRequest,
        )

        api = self._client.crm.associations.v4.batch_api
        wanted = list(dict.fromkeys(ids))
        links: dict[str, list[str]] = {}
        for start in range(0, len(wanted), ASSOCIATIONS_BATCH):
            chunk = wanted[start : start + ASSOCIATIONS_BATCH]
            body = BatchInputPublicFetchAssociationsBatchRequest(
                inputs=[PublicFetchAssociationsBatchRequest(id=object_id) for object_id in chunk]
            )
            response = self._call(
                f"POST /crm/v4/associations/{from_kind}/{to_kind}/batch/read",
                lambda body=body: api.get_page(
                    from_kind, to_kind, batch_input_public_fetch_associations_batch_request=body
                ),
            )
            for result in response.results or []:
                links[str(result._from.id)] = [str(target.to_object_id) for target in result.to]
        return links

    # --- writing ----------------------------------------------------------------------
    def update_companies(self, updates: dict[str, dict[str, str]]) -> list[RecordFailure]:
        """Set company properties, up to 100 companies per call; returns per-record failures."""
        from hubspot.crm.companies import (
            BatchInputSimplePublicObjectBatchInput,
            SimplePublicObjectBatchInput,
        )

        api = self._client.crm.companies.batch_api
        items = list(updates.items())
        failures: list[RecordFailure] = []
        for start in range(0, len(items), BATCH_UPDATE_MAX):
            chunk = items[start : start + BATCH_UPDATE_MAX]
            body = BatchInputSimplePublicObjectBatchInput(
                inputs=[
                    SimplePublicObjectBatchInput(id=company_id, properties=properties)
                    for company_id, properties in chunk
                ]
            )
            try:
                response = self._call(
                    "POST /crm/v3/objects/companies/batch/update",
                    lambda body=body: api.update(batch_input_simple_public_object_batch_input=body),
                )
            except HubSpotAuthError:
                raise
            except HubSpotError as exc:  # the whole batch was refused: every record failed
                failures.extend(RecordFailure(company_id, str(exc)) for company_id, _ in chunk)
                continue
            for error in getattr(response, "errors", None) or []:
                ids = (error.context or {}).get("ids") or []
                failures.extend(RecordFailure(str(object_id), error.message) for object_id in ids)
        return failures

    # --- plumbing ---------------------------------------------------------------------
    def _call(self, what: str, call: Callable[[], Any]) -> Any:
        """One API call, retried on 429 (after ``Retry-After``) and 5xx (backoff)."""
        import urllib3
        from hubspot.crm.objects import ApiException

        api_exceptions: tuple[type[Exception], ...] = (ApiException, *_api_exception_types())
        for attempt in range(1, self.max_attempts + 1):
            try:
                return call()
            except api_exceptions as exc:
                status = int(getattr(exc, "status", 0) or 0)
                if status in (401, 403):
                    raise HubSpotAuthError(
                        f"hubspot: {what}: the token was refused (HTTP {status}); "
                        "check CSBOT_HUBSPOT_TOKEN and the private app's scopes"
                    ) from None
                retryable = status == 429 or status >= 500 or status == 0
                if not retryable:
                    raise HubSpotError(
                        f"hubspot: {what}: HTTP {status}: {_error_message(exc)}"
                    ) from None
                if attempt == self.max_attempts:
                    raise HubSpotError(
                        f"hubspot: {what}: still failing after {attempt} attempts "
                        f"(last HTTP {status})"
                    ) from None
                wait = _retry_after(exc) if status == 429 else None
                if wait is None:
                    wait = min(2.0 ** (attempt - 1), MAX_WAIT_SECONDS)
                logger.warning(
                    "hubspot call failed; retrying",
                    extra={"call": what, "status": status, "attempt": attempt, "wait": wait},
                )
                self.sleep(wait)
            except (OSError, urllib3.exceptions.HTTPError) as exc:  # no HTTP status at all
                if attempt == self.max_attempts:
                    raise HubSpotError(
                        f"hubspot: {what}: HubSpot unreachable ({type(exc).__name__}) "
                        f"after {attempt} attempts"
                    ) from None
                self.sleep(min(2.0 ** (attempt - 1), MAX_WAIT_SECONDS))
        raise AssertionError("unreachable")


def _api_exception_types() -> tuple[type[Exception], ...]:
    """Each generated API package has its own ``ApiException`` class."""
    from hubspot.crm.associations.v4 import ApiException as AssociationsError
    from hubspot.crm.companies import ApiException as CompaniesError
    from hubspot.crm.contacts import ApiException as ContactsError
    from hubspot.crm.deals import ApiException as DealsError
    from hubspot.crm.owners import ApiException as OwnersError
    from hubspot.crm.pipelines import ApiException as PipelinesError

    return (
        AssociationsError,
        CompaniesError,
        ContactsError,
        DealsError,
        OwnersError,
        PipelinesError,
    )


def _hub_object(kind: str, item: Any) -> HubObject:
    return HubObject(
        kind=kind,
        id=str(item.id),
        properties=dict(item.properties or {}),
        updated_at=_aware(item.updated_at),
        archived=bool(item.archived),
        archived_at=_aware(item.archived_at) if getattr(item, "archived_at", None) else None,
    )


def modified_ms(found: HubObject) -> int:
    """When the object was last modified, in epoch milliseconds (HubSpot's search unit)."""
    return _epoch_ms(_modified_at(found))


def _modified_at(found: HubObject) -> datetime:
    text = found.properties.get(MODIFIED_PROPERTY.get(found.kind, ""))
    if text:
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            pass
    return found.updated_at


def _aware(moment: datetime) -> datetime:
    """The client parses ``Z`` as local time on UTC hosts; normalise to UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _epoch_ms(moment: datetime) -> int:
    return int(_aware(moment).timestamp() * 1000)


def _next_after(page: Any) -> str | None:
    paging = getattr(page, "paging", None)
    following = getattr(paging, "next", None) if paging is not None else None
    after = getattr(following, "after", None) if following is not None else None
    return str(after) if after else None


def _retry_after(exc: Exception) -> float | None:
    headers = getattr(exc, "headers", None) or {}
    for name, value in dict(headers).items():
        if name.lower() == "retry-after":
            try:
                return min(max(float(value), 0.0), MAX_WAIT_SECONDS)
            except ValueError:
                return None
    return None


def _error_message(exc: Exception) -> str:
    import json

    body = getattr(exc, "body", None)
    try:
        message = json.loads(body).get("message") if body else None
    except (ValueError, AttributeError):
        message = None
    return str(message or getattr(exc, "reason", "") or "error")[:200]


def _float_or_none(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
