"""The Zendesk connector: organizations → accounts, users → contacts, tickets (with CSAT).

Reads only (see ``bot.sources.sync.protocol``). Tickets and users follow Zendesk's
incremental cursor exports: a page's cursor is Zendesk's ``after_cursor``, so the next
run continues right after it and a run with no changes reads one empty page and writes
nothing. Organizations (few) are listed whole each run and those updated after the
cursor (last ``updated_at`` plus the ids read at it) are handed over.

Which account a ticket or user belongs to follows the mapping: the organization
object's ``account_id`` rule (the org ``id``, its ``external_id`` such as a CRM id, an
``organization_fields.*`` field, or its first domain) is applied to the ticket's or
user's organization, and the result is the record's ``derived.account_id``. A record
without a (synced) organization has none and is skipped by ``skip_if_missing``.

A raw record handed to the mapping is the Zendesk JSON object as sent, plus ``derived.``:

* ``derived.account_id``: the account key of the record's organization (above);
* ``derived.resolved_at``: a solved/closed ticket's ``updated_at`` (the export carries
  no solve time without metric sets), else empty;
* ``derived.escalated``: true when the ticket has the ``escalated`` tag, else false;
* ``derived.first_domain``: an organization's first ``domain_names`` entry.

CSAT is the ticket's own ``satisfaction_rating.score`` (Zendesk embeds the rating on the
ticket and a new rating updates the ticket, so it arrives with the next increment):
``good`` → 5, ``bad`` → 1 in the default mapping. A ticket whose status is ``deleted``
is reported in ``deleted_ids`` (the store keeps it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.settings import Settings
from bot.sources.sync.mapping import ObjectMapping, SourceMapping, load_mapping, map_records
from bot.sources.sync.protocol import SourceError, SourceObject, SourcePage, SyncCursor
from bot.sources.zendesk.api import ZendeskApi, ZendeskError

OBJECT_KINDS = ("organizations", "users", "tickets")
EXPORTED = ("users", "tickets")
CLOSED_STATUSES = frozenset({"solved", "closed"})


@dataclass(frozen=True)
class OrgCursor:
    """Position after an organizations read: the newest ``updated_at`` and ids read at it."""

    updated_at: str = ""
    ids: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, cursor: SyncCursor) -> OrgCursor:
        if cursor.value is None:
            return cls()
        try:
            data = json.loads(cursor.value)
            return cls(str(data["u"]), frozenset(map(str, data["ids"])))
        except (ValueError, KeyError, TypeError):
            raise SourceError(
                f"zendesk: stored cursor {cursor.value[:40]!r} is not an organizations cursor; "
                "run `csbot sync run zendesk --full`"
            ) from None

    def is_new(self, org: dict[str, Any]) -> bool:
        stamp = str(org.get("updated_at") or "")
        return stamp > self.updated_at or (
            stamp == self.updated_at and str(org["id"]) not in self.ids
        )

    def text(self) -> SyncCursor:
        return SyncCursor(json.dumps({"u": self.updated_at, "ids": sorted(self.ids)}))


@dataclass
class ZendeskConnector:
    """Reads the objects the mapping names; organizations are listed once per run."""

    api: ZendeskApi
    mapping: SourceMapping
    name: str = "zendesk"
    _orgs: list[dict[str, Any]] | None = None
    _account_of_org: dict[str, str] = field(default_factory=dict)

    def objects(self) -> Sequence[SourceObject]:
        return [SourceObject(name, m.table) for name, m in self.mapping.objects.items()]

    def read(
        self, object_name: str, cursor: SyncCursor, *, full: bool = False
    ) -> Iterator[SourcePage]:
        mapping = self.mapping.object(object_name)
        kind = mapping.source_object
        if kind not in OBJECT_KINDS:
            raise SourceError(
                f"zendesk {object_name}: object {kind!r} is not one of {', '.join(OBJECT_KINDS)}"
            )
        try:
            if kind == "organizations":
                position = OrgCursor() if full else OrgCursor.parse(cursor)
                yield from self._read_organizations(mapping, position)
            else:
                yield from self._read_export(mapping, kind, None if full else cursor.value)
        except ZendeskError as exc:
            raise SourceError(f"zendesk {object_name}: {exc}") from None

    # --- organizations ----------------------------------------------------------------
    def _read_organizations(
        self, mapping: ObjectMapping, position: OrgCursor
    ) -> Iterator[SourcePage]:
        changed = [org for org in self._organizations() if position.is_new(org)]
        changed.sort(key=lambda org: (str(org.get("updated_at") or ""), int(org["id"])))
        for start in range(0, len(changed), 1000):
            chunk = changed[start : start + 1000]
            newest = str(chunk[-1].get("updated_at") or "")
            ids = {str(o["id"]) for o in chunk if str(o.get("updated_at") or "") == newest}
            if newest == position.updated_at:
                ids |= position.ids
            position = OrgCursor(newest, frozenset(ids))
            rows, source_ids, skipped = map_records(mapping, [_org_record(o) for o in chunk])
            yield SourcePage(
                table=mapping.table,
                rows=rows,
                source_ids=source_ids,
                cursor=position.text(),
                fields=mapping.fields,
                skipped=skipped,
            )

    def _organizations(self) -> list[dict[str, Any]]:
        if self._orgs is None:
            self._orgs = list(self.api.organizations())
            account_rule = self._org_account_rule()
            for org in self._orgs:
                record = _org_record(org)
                if account_rule is None or account_rule.skips(record):
                    continue
                key = account_rule.apply(record).get("account_id")
                if key not in (None, ""):
                    self._account_of_org[str(org["id"])] = str(key)
        return self._orgs

    def _org_account_rule(self) -> ObjectMapping | None:
        for mapping in self.mapping.objects.values():
            if mapping.source_object == "organizations" and mapping.table == "accounts":
                return mapping
        return None

    # --- users and tickets (incremental cursor exports) -------------------------------
    def _read_export(
        self, mapping: ObjectMapping, kind: str, cursor: str | None
    ) -> Iterator[SourcePage]:
        self._organizations()
        for page in self.api.export(kind, cursor):
            if not page.records and page.after_cursor == cursor:
                return  # nothing changed since the cursor
            deleted: list[str] = []
            records: list[dict[str, Any]] = []
            for raw in page.records:
                if kind == "tickets" and raw.get("status") == "deleted":
                    deleted.append(str(raw["id"]))
                    continue
                records.append(self._record(kind, raw))
            rows, source_ids, skipped = map_records(mapping, records)
            cursor = page.after_cursor
            yield SourcePage(
                table=mapping.table,
                rows=rows,
                source_ids=source_ids,
                cursor=SyncCursor(cursor),
                fields=mapping.fields,
                deleted_ids=deleted,
                skipped=skipped,
            )

    def _record(self, kind: str, raw: dict[str, Any]) -> dict[str, Any]:
        org = raw.get("organization_id")
        derived: dict[str, Any] = {
            "account_id": self._account_of_org.get(str(org)) if org is not None else None
        }
        if kind == "tickets":
            closed = raw.get("status") in CLOSED_STATUSES
            derived["resolved_at"] = raw.get("updated_at") if closed else None
            derived["escalated"] = "escalated" in (raw.get("tags") or ())
        return {**raw, "derived": derived}


def _org_record(org: dict[str, Any]) -> dict[str, Any]:
    domains = org.get("domain_names") or []
    return {**org, "derived": {"first_domain": domains[0] if domains else None}}


# --- the registry's entry points (bot.sources.sync.registry) ----------------------------
def configured(settings: Settings) -> bool:
    """Zendesk syncs when a subdomain (or base URL) and a token are set."""
    has_site = bool(settings.zendesk_subdomain or settings.zendesk_base_url)
    has_token = settings.zendesk_oauth_token is not None or (
        settings.zendesk_api_token is not None and bool(settings.zendesk_email)
    )
    return has_site and has_token


def base_url(settings: Settings) -> str:
    if settings.zendesk_base_url:
        return settings.zendesk_base_url
    if not settings.zendesk_subdomain:
        raise SourceError("zendesk: CSBOT_ZENDESK_SUBDOMAIN is not set")
    return f"https://{settings.zendesk_subdomain}.zendesk.com"


def build_api(settings: Settings) -> ZendeskApi:
    if not configured(settings):
        raise SourceError(
            "zendesk: set CSBOT_ZENDESK_SUBDOMAIN and CSBOT_ZENDESK_EMAIL with "
            "CSBOT_ZENDESK_API_TOKEN (or CSBOT_ZENDESK_OAUTH_TOKEN)"
        )
    api_token = settings.zendesk_api_token
    oauth = settings.zendesk_oauth_token
    return ZendeskApi(
        base_url=base_url(settings),
        email=settings.zendesk_email,
        api_token=api_token.get_secret_value() if api_token else None,
        oauth_token=oauth.get_secret_value() if oauth else None,
    )


def build(settings: Settings) -> ZendeskConnector:
    mapping = load_mapping("zendesk", settings.sync_mapping_dir)
    return ZendeskConnector(api=build_api(settings), mapping=mapping)
