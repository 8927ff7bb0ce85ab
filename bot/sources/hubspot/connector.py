"""The HubSpot connector: owners, companies, contacts and deals as contract rows.

Reads only (see ``bot.sources.sync.protocol``). Each object is searched by its
last-modified date, oldest first (``HubSpotApi.modified_since``), in pages of up to 200;
a page's cursor is the last modification instant read plus the ids read at exactly that
instant, so the next run continues right after it and a run with no changes reads
nothing. Archived objects (which search never returns) are listed with
``archived=true`` and reported as ``deleted_ids`` once, after their archive time passes
the cursor's.

A raw record handed to the mapping is the object's properties at the top level
(``name``, ``annualrevenue``…), its ``id``, and values csbot derives under ``derived.``:

* ``derived.owner_email``: the email of the owner (``hubspot_owner_id`` → /crm/v3/owners);
* ``derived.company_id``: the first associated company (contacts, deals; v4 associations);
* ``derived.full_name``: first and last name (contacts, owners), else the email;
* ``derived.stage_label``, ``derived.pipeline_label``: labels from /crm/v3/pipelines/deals;
* ``derived.won``: true/false for a closed won/lost stage (its probability 1 or 0), else empty;
* ``derived.won_at``: the close date of a won deal (contracts are won deals).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from bot.settings import Settings
from bot.sources.hubspot.api import (
    SEARCH_PAGE,
    HubObject,
    HubSpotApi,
    HubSpotError,
    modified_ms,
)
from bot.sources.sync.mapping import ObjectMapping, SourceMapping, load_mapping, map_records
from bot.sources.sync.protocol import SourceError, SourceObject, SourcePage, SyncCursor

DERIVED = "derived."
OBJECT_KINDS = ("owners", "companies", "contacts", "deals")
ALWAYS_READ = {
    "companies": ("hubspot_owner_id",),
    "contacts": ("firstname", "lastname", "email", "hubspot_owner_id"),
    "deals": ("hubspot_owner_id", "pipeline", "dealstage", "closedate"),
}


@dataclass(frozen=True)
class HubCursor:
    """Position after a page: last modification instant, ids read at it, last archive time."""

    modified_ms: int = 0
    ids: frozenset[str] = frozenset()
    archived_ms: int = 0

    @classmethod
    def parse(cls, cursor: SyncCursor) -> HubCursor:
        if cursor.value is None:
            return cls()
        try:
            data = json.loads(cursor.value)
            return cls(int(data["m"]), frozenset(map(str, data["ids"])), int(data.get("a", 0)))
        except (ValueError, KeyError, TypeError):
            raise SourceError(
                f"hubspot: stored cursor {cursor.value[:40]!r} is not a HubSpot cursor; "
                "run `csbot sync run hubspot --full`"
            ) from None

    def after(self, found: HubObject) -> HubCursor:
        stamp = modified_ms(found)
        if stamp > self.modified_ms:
            return HubCursor(stamp, frozenset({found.id}), self.archived_ms)
        if stamp == self.modified_ms:
            return HubCursor(stamp, self.ids | {found.id}, self.archived_ms)
        return self

    def text(self) -> SyncCursor:
        return SyncCursor(
            json.dumps({"m": self.modified_ms, "ids": sorted(self.ids), "a": self.archived_ms})
        )


@dataclass
class HubSpotConnector:
    """Reads the objects the mapping names; owners, pipelines are fetched once per run."""

    api: HubSpotApi
    mapping: SourceMapping
    name: str = "hubspot"
    _owners: list[dict[str, Any]] | None = None
    _pipelines: dict[str, dict[str, Any]] | None = None
    _owner_email: dict[str, str] = field(default_factory=dict)

    def objects(self) -> Sequence[SourceObject]:
        return [SourceObject(name, m.table) for name, m in self.mapping.objects.items()]

    def read(
        self, object_name: str, cursor: SyncCursor, *, full: bool = False
    ) -> Iterator[SourcePage]:
        mapping = self.mapping.object(object_name)
        kind = mapping.source_object
        if kind not in OBJECT_KINDS:
            raise SourceError(
                f"hubspot {object_name}: object {kind!r} is not one of {', '.join(OBJECT_KINDS)}"
            )
        position = HubCursor() if full else HubCursor.parse(cursor)
        try:
            if kind == "owners":
                yield from self._read_owners(mapping, position)
            else:
                yield from self._read_objects(mapping, kind, position)
        except HubSpotError as exc:
            raise SourceError(f"hubspot {object_name}: {exc}".replace(": hubspot:", ":")) from None

    # --- owners -------------------------------------------------------------------------
    def _read_owners(self, mapping: ObjectMapping, position: HubCursor) -> Iterator[SourcePage]:
        """Owners are few: read them all, hand over those updated after the cursor."""
        changed = [
            owner
            for owner in self._all_owners()
            if owner["updated_ms"] > position.modified_ms
            or (owner["updated_ms"] == position.modified_ms and owner["id"] not in position.ids)
        ]
        if not changed:
            return
        changed.sort(key=lambda owner: (owner["updated_ms"], owner["id"]))
        newest = changed[-1]["updated_ms"]
        ids = {o["id"] for o in changed if o["updated_ms"] == newest}
        if newest == position.modified_ms:
            ids |= position.ids
        records = [self._owner_record(owner) for owner in changed]
        rows, source_ids, skipped = map_records(mapping, records)
        yield SourcePage(
            table=mapping.table,
            rows=rows,
            source_ids=source_ids,
            cursor=HubCursor(newest, frozenset(ids)).text(),
            fields=mapping.fields,
            skipped=skipped,
            owner_column=mapping.owner.column if mapping.owner else None,
        )

    def _owner_record(self, owner: dict[str, Any]) -> dict[str, Any]:
        full_name = " ".join(p for p in (owner["first_name"], owner["last_name"]) if p).strip()
        return {
            **owner,
            "derived": {"full_name": full_name or owner["email"], "owner_email": owner["email"]},
        }

    def _all_owners(self) -> list[dict[str, Any]]:
        if self._owners is None:
            self._owners = self.api.owners()
            self._owner_email = {o["id"]: o["email"] for o in self._owners if o["email"]}
        return self._owners

    # --- CRM objects --------------------------------------------------------------------
    def _read_objects(
        self, mapping: ObjectMapping, kind: str, position: HubCursor
    ) -> Iterator[SourcePage]:
        properties = self._properties(mapping, kind)
        found = self.api.modified_since(
            kind, properties, since_ms=position.modified_ms, seen=position.ids
        )
        for chunk in _batched(found, SEARCH_PAGE):
            for item in chunk:
                position = position.after(item)
            yield self._page(mapping, kind, list(chunk), position, deleted=())
        archived = [
            item
            for item in self.api.list_objects(kind, ["hs_object_id"], archived=True)
            if item.archived_at is not None and _ms(item.archived_at) > position.archived_ms
        ]
        if archived:
            newest = max(_ms(item.archived_at) for item in archived if item.archived_at)
            position = HubCursor(position.modified_ms, position.ids, newest)
            yield self._page(mapping, kind, [], position, deleted=[item.id for item in archived])

    def _page(
        self,
        mapping: ObjectMapping,
        kind: str,
        items: list[HubObject],
        position: HubCursor,
        *,
        deleted: Sequence[str],
    ) -> SourcePage:
        records = self._records(mapping, kind, items)
        rows, source_ids, skipped = map_records(mapping, records)
        return SourcePage(
            table=mapping.table,
            rows=rows,
            source_ids=source_ids,
            cursor=position.text(),
            fields=mapping.fields,
            deleted_ids=list(deleted),
            skipped=skipped,
            owner_column=mapping.owner.column if mapping.owner else None,
        )

    def _properties(self, mapping: ObjectMapping, kind: str) -> list[str]:
        wanted = dict.fromkeys(ALWAYS_READ.get(kind, ()))
        for path in mapping.source_fields():
            if path == mapping.id_field or path.startswith(DERIVED):
                continue
            wanted[path.split(".", 1)[0]] = None
        return list(wanted)

    def _records(
        self, mapping: ObjectMapping, kind: str, items: list[HubObject]
    ) -> list[dict[str, Any]]:
        uses = {path for path in mapping.source_fields() if path.startswith(DERIVED)}
        companies: dict[str, list[str]] = {}
        if kind in ("contacts", "deals") and f"{DERIVED}company_id" in uses and items:
            companies = self.api.associations(kind, "companies", [item.id for item in items])
        if f"{DERIVED}owner_email" in uses:
            self._all_owners()
        pipelines = self._deal_pipelines() if kind == "deals" else {}
        records = []
        for item in items:
            props = item.properties
            derived: dict[str, Any] = {}
            owner_id = props.get("hubspot_owner_id")
            derived["owner_email"] = self._owner_email.get(str(owner_id)) if owner_id else None
            linked = companies.get(item.id) or []
            derived["company_id"] = linked[0] if linked else None
            if kind == "contacts":
                name = " ".join(p for p in (props.get("firstname"), props.get("lastname")) if p)
                derived["full_name"] = name.strip() or props.get("email")
            if kind == "deals":
                derived.update(_deal_stage(props, pipelines))
            records.append({**props, "id": item.id, "archived": item.archived, "derived": derived})
        return records

    def _deal_pipelines(self) -> dict[str, dict[str, Any]]:
        if self._pipelines is None:
            self._pipelines = self.api.pipelines()
        return self._pipelines


def _deal_stage(props: Mapping[str, Any], pipelines: dict[str, dict[str, Any]]) -> dict[str, Any]:
    pipeline = pipelines.get(str(props.get("pipeline")), {})
    stage = pipeline.get("stages", {}).get(str(props.get("dealstage")), {})
    won: bool | None = None
    if stage.get("closed"):
        won = stage.get("probability") == 1.0
    return {
        "pipeline_label": pipeline.get("label"),
        "stage_label": stage.get("label") or props.get("dealstage"),
        "won": won,
        "won_at": props.get("closedate") if won else None,
    }


def _batched(items: Iterator[HubObject], size: int) -> Iterator[tuple[HubObject, ...]]:
    """``itertools.batched`` (3.12) for 3.11: lazily, so each page is fetched when needed."""
    while chunk := tuple(islice(items, size)):
        yield chunk


def _ms(moment: datetime) -> int:
    return int(moment.astimezone(UTC).timestamp() * 1000)


# --- the registry's entry points (bot.sources.sync.registry) ----------------------------
def configured(settings: Settings) -> bool:
    """HubSpot syncs when a private-app token is set."""
    return settings.hubspot_token is not None


def build_api(settings: Settings) -> HubSpotApi:
    if settings.hubspot_token is None:
        raise SourceError("hubspot: CSBOT_HUBSPOT_TOKEN is not set")
    return HubSpotApi(
        token=settings.hubspot_token.get_secret_value(), base_url=settings.hubspot_base_url
    )


def build(settings: Settings) -> HubSpotConnector:
    mapping = load_mapping("hubspot", settings.sync_mapping_dir)
    return HubSpotConnector(api=build_api(settings), mapping=mapping)
