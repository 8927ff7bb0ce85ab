"""The Stripe connector: customers → accounts, subscriptions → contracts, invoices → invoices.

Reads only (see ``bot.sources.sync.protocol``). Two ways in, one cursor per object:

* **Full read** (first run, or ``--full``): the list endpoint, 100 per page, following
  ``starting_after`` while ``has_more``. Before it starts, the newest event of the
  object's types is noted; each page's cursor carries that position plus the last id
  listed (``after``), so a read killed mid-list resumes from that id, and the last page
  drops ``after``: from then on the object reads events.
* **Increment**: ``GET /v1/events`` for the object's event types with ``created[gte]``
  the cursor's instant (ids already applied at that instant skipped), oldest first, in
  pages of 100 events; each event's ``data.object`` is the object's state then, so the
  last event of an object in a page wins. ``customer.deleted`` reports the customer's
  account as deleted (nothing is removed from the store); ``invoice.payment_failed``
  marks the invoice ``failed`` until a later event says otherwise.
* **Retention**: Stripe keeps events for 30 days only. The cursor records when its
  events were last read to the end (``checked``); when that is older than
  :data:`EVENTS_KEPT_SECONDS` less a day's margin, events in between may be gone, so the
  object is read in full again instead (upsert by key: only real changes are written) and
  a ``stripe events expired`` event is logged. A quiet object's ``checked`` is refreshed
  by an empty page at most once a day, so it does not fall behind for lack of events.

Customers → accounts: the account id is ``metadata[csbot_account_id]`` when set, else
the existing account whose ``domain`` is the customer's email domain, else the customer
id. A customer writes its account row only when it *owns* it (the customer id, or a
metadata id no account has yet): an account the CRM made is linked, never renamed.
Subscriptions and invoices carry the customer's account id (a customer not read in this
run is fetched once: ``GET /v1/customers/{id}``).

Webhooks: :func:`ingest_event` applies one Stripe event object through the same code
(the event pages below and the sync engine), leaving the cursor where it is; the next
increment reads that event again, harmlessly (upsert by key).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any

from sqlalchemy import Engine

from bot.db.billing_links import AccountIndex, lazy_account_index
from bot.settings import Settings
from bot.sources.stripe.api import StripeApi, StripeError
from bot.sources.stripe.records import (
    BadRecord,
    customer_record,
    invoice_record,
    subscription_record,
)
from bot.sources.sync.mapping import ObjectMapping, SourceMapping, load_mapping, map_records
from bot.sources.sync.protocol import SourceError, SourceObject, SourcePage, SyncCursor

METADATA_KEY = "csbot_account_id"
EVENTS_PAGE = 100
DAY_SECONDS = 86_400
EVENTS_KEPT_SECONDS = 30 * DAY_SECONDS
"""How long Stripe keeps events (its documented retention for ``GET /v1/events``)."""
EVENTS_MARGIN_SECONDS = DAY_SECONDS
"""Read in full once a cursor is within a day of that edge (clock skew, slow runs)."""
logger = logging.getLogger(__name__)
EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "customers": ("customer.created", "customer.updated", "customer.deleted"),
    "subscriptions": tuple(
        f"customer.subscription.{verb}"
        for verb in (
            "created",
            "updated",
            "deleted",
            "paused",
            "resumed",
            "trial_will_end",
            "pending_update_applied",
            "pending_update_expired",
        )
    ),
    "invoices": tuple(
        f"invoice.{verb}"
        for verb in (
            "created",
            "finalized",
            "updated",
            "paid",
            "payment_failed",
            "payment_succeeded",
            "payment_action_required",
            "voided",
            "marked_uncollectible",
            "sent",
            "overdue",
        )
    ),
}
SINGULAR = {"customers": "customer", "subscriptions": "subscription", "invoices": "invoice"}


@dataclass(frozen=True)
class StripeCursor:
    """Events applied up to ``created`` (ids at that second), and a full list's last id.

    ``checked`` is when the events were last read to the end (epoch seconds): what the
    30-day retention is measured against. A cursor stored before it was kept has 0, read
    as "unknown": the retention check then falls back to ``created``.
    """

    created: int = 0
    ids: frozenset[str] = frozenset()
    after: str | None = None  # set while a full list read is under way
    checked: int = 0

    @classmethod
    def parse(cls, cursor: SyncCursor) -> StripeCursor | None:
        if cursor.value is None:
            return None
        try:
            data = json.loads(cursor.value)
            return cls(
                int(data["c"]),
                frozenset(map(str, data["ids"])),
                data.get("after"),
                int(data.get("checked") or 0),
            )
        except (ValueError, KeyError, TypeError):
            raise SourceError(
                f"stripe: stored cursor {cursor.value[:40]!r} is not a Stripe cursor; "
                "run `csbot sync run stripe --full`"
            ) from None

    def after_event(self, event: Mapping[str, Any]) -> StripeCursor:
        created, event_id = int(event["created"]), str(event["id"])
        if created > self.created:
            return StripeCursor(created, frozenset({event_id}), checked=self.checked)
        return StripeCursor(self.created, self.ids | {event_id}, checked=self.checked)

    def checked_at(self, now: int) -> StripeCursor:
        return StripeCursor(self.created, self.ids, self.after, now)

    def events_may_be_gone(self, now: int) -> bool:
        """Could events after this cursor have aged out of Stripe's 30-day window?"""
        last_read = self.checked or self.created
        return now - last_read > EVENTS_KEPT_SECONDS - EVENTS_MARGIN_SECONDS

    def text(self) -> SyncCursor:
        data: dict[str, Any] = {"c": self.created, "ids": sorted(self.ids)}
        if self.after:
            data["after"] = self.after
        if self.checked:
            data["checked"] = self.checked
        return SyncCursor(json.dumps(data))


@dataclass
class StripeConnector:
    """Reads the objects the mapping names; the store's accounts are looked up once per run."""

    api: StripeApi
    mapping: SourceMapping
    accounts: Callable[[], AccountIndex]
    metadata_key: str = METADATA_KEY
    name: str = "stripe"
    clock: Callable[[], float] = time.time
    _index: AccountIndex | None = None
    _links: dict[str, tuple[str, bool]] = field(default_factory=dict)
    _made: set[str] = field(default_factory=set)

    def objects(self) -> Sequence[SourceObject]:
        return [SourceObject(name, m.table) for name, m in self.mapping.objects.items()]

    def read(
        self, object_name: str, cursor: SyncCursor, *, full: bool = False
    ) -> Iterator[SourcePage]:
        mapping = self.mapping.object(object_name)
        kind = mapping.source_object
        if kind not in EVENT_TYPES:
            raise SourceError(
                f"stripe {object_name}: object {kind!r} is not one of {', '.join(EVENT_TYPES)}"
            )
        position = None if full else StripeCursor.parse(cursor)
        now = int(self.clock())
        if position is not None and position.after is None and position.events_may_be_gone(now):
            logger.warning(
                "stripe events expired",
                extra={"source": self.name, "object": object_name, "action": "full read"},
            )
            position = None
        try:
            if position is None or position.after is not None:
                yield from self._read_list(mapping, kind, position, now)
            else:
                yield from self._read_events(mapping, kind, position, now)
        except StripeError as exc:
            raise SourceError(f"stripe {object_name}: {exc}".replace(": stripe:", ":")) from None

    # --- full reads -------------------------------------------------------------------
    def _read_list(
        self, mapping: ObjectMapping, kind: str, position: StripeCursor | None, now: int
    ) -> Iterator[SourcePage]:
        if position is None:
            position = self._events_now(kind).checked_at(now)
        for page in self.api.list_pages(kind, starting_after=position.after):
            last = page.data[-1]["id"] if page.data and page.has_more else None
            position = StripeCursor(position.created, position.ids, last, position.checked)
            yield self._page(mapping, kind, page.data, position.text())

    def _events_now(self, kind: str) -> StripeCursor:
        """Where events pick up once the list is read: the newest instant, all its ids."""
        newest = next(iter(self.api.events(EVENT_TYPES[kind], limit=1)), None)
        if newest is None:
            return StripeCursor()
        created = int(newest["created"])
        ids = {
            str(event["id"])
            for event in self.api.events(EVENT_TYPES[kind], created_gte=created)
            if int(event["created"]) == created
        }
        return StripeCursor(created, frozenset(ids))

    # --- increments -------------------------------------------------------------------
    def _read_events(
        self, mapping: ObjectMapping, kind: str, position: StripeCursor, now: int
    ) -> Iterator[SourcePage]:
        """The events after the cursor; the last page's cursor says they were read at ``now``.

        ``checked`` only moves once every event is read (a run that fails mid-way keeps the
        old one). An object with no new events gets one empty page when its ``checked`` is
        a day old, so it stays inside the retention window without rewriting its cursor on
        every run.
        """
        events = self._events_since(kind, position)
        pages = self.event_pages(mapping, kind, events, position)
        page = next(pages, None)
        while page is not None:
            following = next(pages, None)
            if following is None:
                last = StripeCursor.parse(page.cursor)
                assert last is not None
                page = replace(page, cursor=last.checked_at(now).text())
            yield page
            page = following
        if not events and now - position.checked >= DAY_SECONDS:
            yield self._page(mapping, kind, [], position.checked_at(now).text())

    def _events_since(self, kind: str, position: StripeCursor) -> list[dict[str, Any]]:
        """Events after the cursor, oldest first (Stripe lists newest first)."""
        found = [
            event
            for event in self.api.events(EVENT_TYPES[kind], created_gte=position.created)
            if not (int(event["created"]) == position.created and event["id"] in position.ids)
            and int(event["created"]) >= position.created
        ]
        found.reverse()
        return found

    def event_pages(
        self,
        mapping: ObjectMapping,
        kind: str,
        events: Iterable[Mapping[str, Any]],
        position: StripeCursor | None,
        *,
        keep_cursor: SyncCursor | None = None,
    ) -> Iterator[SourcePage]:
        """Pages of up to 100 events; ``keep_cursor`` (webhooks) is every page's cursor."""
        position = position or StripeCursor()
        stream = iter(events)
        while chunk := list(islice(stream, EVENTS_PAGE)):
            latest: dict[str, dict[str, Any]] = {}
            failed: set[str] = set()
            deleted: list[str] = []
            for event in chunk:
                position = position.after_event(event)
                obj = dict((event.get("data") or {}).get("object") or {})
                object_id = str(obj.get("id") or "")
                if not object_id or SINGULAR[kind] != obj.get("object"):
                    continue
                event_type = str(event.get("type"))
                if event_type == "customer.deleted":
                    latest.pop(object_id, None)
                    deleted.append(object_id)
                    continue
                if event_type == "invoice.payment_failed":
                    failed.add(object_id)
                elif kind == "invoices":
                    failed.discard(object_id)
                latest.pop(object_id, None)  # keep event order: the last state goes last
                latest[object_id] = obj
            for obj in latest.values():
                obj["_payment_failed"] = obj["id"] in failed
            deleted_accounts = [self._deleted_account(customer_id) for customer_id in deleted]
            yield self._page(
                mapping,
                kind,
                list(latest.values()),
                keep_cursor or position.text(),
                deleted=[account for account in deleted_accounts if account],
            )

    # --- records ----------------------------------------------------------------------
    def _page(
        self,
        mapping: ObjectMapping,
        kind: str,
        objects: list[dict[str, Any]],
        cursor: SyncCursor,
        *,
        deleted: Sequence[str] = (),
    ) -> SourcePage:
        records = []
        for obj in objects:
            try:
                records.append(self._record(kind, obj))
            except BadRecord as exc:
                raise SourceError(f"stripe {SINGULAR[kind]} {obj.get('id')}: {exc}") from None
        rows, source_ids, skipped = map_records(mapping, records)
        return SourcePage(
            table=mapping.table,
            rows=rows,
            source_ids=source_ids,
            cursor=cursor,
            fields=mapping.fields,
            deleted_ids=list(deleted),
            skipped=skipped,
        )

    def _record(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        if kind == "customers":
            account_id, owns = self._link(obj)
            return customer_record(obj, account_id, owns_account=owns)
        account_id = self._account_for(obj.get("customer"))
        if kind == "subscriptions":
            items = obj.get("items") or {}
            if items.get("has_more"):  # the embedded list is cut short: read them all
                obj = {**obj, "items": {**items, "data": self.api.subscription_items(obj["id"])}}
            return subscription_record(obj, account_id)
        return invoice_record(obj, account_id, payment_failed=bool(obj.get("_payment_failed")))

    def _store(self) -> AccountIndex:
        if self._index is None:
            self._index = self.accounts()
        return self._index

    def _link(self, customer: Mapping[str, Any]) -> tuple[str, bool]:
        """The customer's account id, and whether the customer owns (writes) that row."""
        customer_id = str(customer["id"])
        index = self._store()
        linked = (customer.get("metadata") or {}).get(self.metadata_key)
        if isinstance(linked, str) and linked.strip():
            account_id = linked.strip()
            owns = account_id not in index.ids or account_id in self._made
        elif customer_id in index.ids:  # made by an earlier sync: the customer's own row
            account_id, owns = customer_id, True
        else:
            domain = _domain(customer.get("email"))
            if domain and domain in index.by_domain:
                account_id, owns = index.by_domain[domain], False
            else:
                account_id, owns = customer_id, True
        if owns:
            self._made.add(account_id)
        self._links[customer_id] = (account_id, owns)
        return account_id, owns

    def _account_for(self, customer: Any) -> str | None:
        if isinstance(customer, Mapping):  # expanded
            customer = customer.get("id")
        if not customer:
            return None
        customer_id = str(customer)
        if customer_id not in self._links:
            found = self.api.customer(customer_id)
            if found.get("deleted"):
                known = customer_id in self._store().ids
                return customer_id if known else None
            self._link(found)
        return self._links[customer_id][0]

    def _deleted_account(self, customer_id: str) -> str | None:
        if customer_id in self._links:
            return self._links[customer_id][0]
        return customer_id if customer_id in self._store().ids else None


def _domain(email: Any) -> str | None:
    from bot.sources.stripe.records import email_domain

    return email_domain(email)


# --- webhooks: one event through the same path ---------------------------------------
@dataclass
class _OneEvent:
    """A connector view that reads just the given event(s), keeping each stored cursor."""

    inner: StripeConnector
    events: list[Mapping[str, Any]]
    name: str = "stripe"

    def objects(self) -> Sequence[SourceObject]:
        return self.inner.objects()

    def read(
        self, object_name: str, cursor: SyncCursor, *, full: bool = False
    ) -> Iterator[SourcePage]:
        mapping = self.inner.mapping.object(object_name)
        kind = mapping.source_object
        wanted = [e for e in self.events if str(e.get("type")) in EVENT_TYPES.get(kind, ())]
        if not wanted:
            return
        try:
            yield from self.inner.event_pages(mapping, kind, wanted, None, keep_cursor=cursor)
        except StripeError as exc:
            raise SourceError(f"stripe {object_name}: {exc}".replace(": stripe:", ":")) from None


def ingest_event(
    event: Mapping[str, Any],
    engine: Engine,
    connector: StripeConnector | None = None,
    *,
    settings: Settings | None = None,
) -> list[Any]:
    """Apply one Stripe event object (a webhook's payload) now; returns the engine's runs.

    Same code as the events increment (``event_pages`` → the sync engine's import), but
    every object's stored cursor stays where it is, so the next increment still reads
    this event (and applies it again, changing nothing). Events of types csbot does not
    sync are ignored (no runs). ``event`` is the event's JSON (a dict) or the
    ``stripe.Event`` that ``stripe.Webhook.construct_event`` returns.
    """
    from bot.sources.sync.engine import run_object

    if hasattr(event, "to_dict"):  # a stripe.Event from stripe.Webhook.construct_event
        event = event.to_dict()
    if connector is None:
        connector = build(settings or Settings())
    view = _OneEvent(connector, [event])
    runs = []
    for source_object in connector.objects():
        kind = connector.mapping.object(source_object.name).source_object
        if str(event.get("type")) in EVENT_TYPES.get(kind, ()):
            runs.append(run_object(view, source_object, engine))
    return runs


# --- the registry's entry points (bot.sources.sync.registry) ----------------------------
def configured(settings: Settings) -> bool:
    """Stripe syncs when an API key is set (a restricted read-only key is enough)."""
    return settings.stripe_api_key is not None


def build_api(settings: Settings) -> StripeApi:
    if settings.stripe_api_key is None:
        raise SourceError("stripe: CSBOT_STRIPE_API_KEY is not set")
    return StripeApi(
        api_key=settings.stripe_api_key.get_secret_value(), base_url=settings.stripe_base_url
    )


def build(settings: Settings) -> StripeConnector:
    mapping = load_mapping("stripe", settings.sync_mapping_dir)
    return StripeConnector(
        api=build_api(settings),
        mapping=mapping,
        accounts=lazy_account_index(settings.resolved_database_url),
    )
