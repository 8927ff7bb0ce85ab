"""The Intercom connector: companies, contacts and conversations (as tickets) as contract rows.

Reads only (see ``bot.sources.sync.protocol``). Contacts and conversations are searched
by ``updated_at``, oldest first (``IntercomApi.search``); companies, which Intercom
cannot search, are scrolled whole and those changed after the cursor handed over in
``updated_at`` order. Every page's cursor is the last ``updated_at`` read (epoch
seconds) plus the ids read at exactly that second, so the next run continues right
after it and a run with no changes writes nothing.

A raw record handed to the mapping is Intercom's own JSON object (dotted paths such as
``conversation_rating.rating`` work) plus values csbot derives under ``derived.``:

* ``derived.account_id``: the account of the contact's first company, worked out with
  the company mapping's own ``account_id`` rule (``company_id`` by default, so accounts
  are keyed as the team keys companies in Intercom);
* ``derived.contact_id`` (conversations): the first contact, when it belongs to a company;
* ``derived.full_name`` (contacts): the name, else the email;
* ``derived.created_at``, ``derived.updated_at``, ``derived.last_contacted_at``,
  ``derived.resolved_at`` (a closed conversation's ``statistics.last_close_at``): ISO
  date-times from Intercom's epoch seconds;
* ``derived.subject`` (the title, else the first part's subject) and ``derived.body``
  (the first part's HTML body as plain text).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.settings import Settings
from bot.sources.intercom.api import IntercomApi, IntercomError
from bot.sources.sync.mapping import ObjectMapping, SourceMapping, load_mapping, map_records
from bot.sources.sync.protocol import SourceError, SourceObject, SourcePage, SyncCursor

KINDS = ("companies", "contacts", "conversations")
CONTACT_ROLES = ["user", "lead"]
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class IntercomCursor:
    """Position after a page: the last ``updated_at`` read and the ids read at it."""

    updated_at: int = 0
    ids: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, cursor: SyncCursor) -> IntercomCursor:
        if cursor.value is None:
            return cls()
        try:
            data = json.loads(cursor.value)
            return cls(int(data["t"]), frozenset(map(str, data["ids"])))
        except (ValueError, KeyError, TypeError):
            raise SourceError(
                f"intercom: stored cursor {cursor.value[:40]!r} is not an Intercom cursor; "
                "run `csbot sync run intercom --full`"
            ) from None

    def is_new(self, item: dict[str, Any]) -> bool:
        stamp = _stamp(item)
        return stamp > self.updated_at or (
            stamp == self.updated_at and str(item["id"]) not in self.ids
        )

    def after(self, item: dict[str, Any]) -> IntercomCursor:
        stamp = _stamp(item)
        if stamp > self.updated_at:
            return IntercomCursor(stamp, frozenset({str(item["id"])}))
        if stamp == self.updated_at:
            return IntercomCursor(stamp, self.ids | {str(item["id"])})
        return self

    def text(self) -> SyncCursor:
        return SyncCursor(json.dumps({"t": self.updated_at, "ids": sorted(self.ids)}))


@dataclass
class IntercomConnector:
    """Reads the objects the mapping names; companies are scrolled once per run."""

    api: IntercomApi
    mapping: SourceMapping
    name: str = "intercom"
    _companies: dict[str, dict[str, Any]] | None = None
    _contact_accounts: dict[str, str | None] = field(default_factory=dict)

    def objects(self) -> Sequence[SourceObject]:
        return [SourceObject(name, m.table) for name, m in self.mapping.objects.items()]

    def read(
        self, object_name: str, cursor: SyncCursor, *, full: bool = False
    ) -> Iterator[SourcePage]:
        mapping = self.mapping.object(object_name)
        kind = mapping.source_object
        if kind not in KINDS:
            raise SourceError(
                f"intercom {object_name}: object {kind!r} is not one of {', '.join(KINDS)}"
            )
        position = IntercomCursor() if full else IntercomCursor.parse(cursor)
        try:
            if kind == "companies":
                yield from self._read_companies(mapping, position)
            else:
                yield from self._read_searched(mapping, kind, position)
        except IntercomError as exc:
            raise SourceError(f"intercom {object_name}: {exc}") from None

    # --- companies (scrolled) ---------------------------------------------------------
    def _read_companies(
        self, mapping: ObjectMapping, position: IntercomCursor
    ) -> Iterator[SourcePage]:
        changed = [c for c in self._all_companies().values() if position.is_new(c)]
        changed.sort(key=lambda c: (_stamp(c), str(c["id"])))
        size = self.api.page_size
        for start in range(0, len(changed), size):
            chunk = changed[start : start + size]
            for item in chunk:
                position = position.after(item)
            yield self._page(mapping, [self._company_record(c) for c in chunk], position)

    def _all_companies(self) -> dict[str, dict[str, Any]]:
        if self._companies is None:
            self._companies = {str(c["id"]): c for c in self.api.companies()}
        return self._companies

    def _company_record(self, company: dict[str, Any]) -> dict[str, Any]:
        return {
            **company,
            "derived": {
                "created_at": _iso(company.get("created_at")),
                "updated_at": _iso(company.get("updated_at")),
                "annual_spend": _annual(company.get("monthly_spend")),
            },
        }

    # --- contacts and conversations (searched) ----------------------------------------
    def _read_searched(
        self, mapping: ObjectMapping, kind: str, position: IntercomCursor
    ) -> Iterator[SourcePage]:
        extra = (
            [{"field": "role", "operator": "IN", "value": CONTACT_ROLES}]
            if kind == "contacts"
            else None
        )
        for found in self.api.search(kind, since=position.updated_at, extra=extra):
            fresh = [item for item in found if position.is_new(item)]
            if not fresh:
                continue
            for item in fresh:
                position = position.after(item)
            if kind == "contacts":
                records = [self._contact_record(item) for item in fresh]
            else:
                records = [self._conversation_record(item) for item in fresh]
            yield self._page(mapping, records, position)

    def _contact_record(self, contact: dict[str, Any]) -> dict[str, Any]:
        account_id = self._account_of(contact)
        self._contact_accounts[str(contact["id"])] = account_id
        return {
            **contact,
            "derived": {
                "account_id": account_id,
                "full_name": (contact.get("name") or "").strip() or contact.get("email"),
                "created_at": _iso(contact.get("created_at")),
                "updated_at": _iso(contact.get("updated_at")),
                "last_contacted_at": _iso(contact.get("last_contacted_at")),
            },
        }

    def _conversation_record(self, conversation: dict[str, Any]) -> dict[str, Any]:
        people = (conversation.get("contacts") or {}).get("contacts") or []
        contact_id = str(people[0]["id"]) if people and people[0].get("id") else None
        account_id = self._account_of_contact(contact_id) if contact_id else None
        source = conversation.get("source") or {}
        statistics = conversation.get("statistics") or {}
        closed = conversation.get("state") == "closed"
        subject = (conversation.get("title") or "").strip() or _text(source.get("subject"))
        return {
            **conversation,
            "derived": {
                "account_id": account_id,
                "contact_id": contact_id if account_id else None,
                "created_at": _iso(conversation.get("created_at")),
                "updated_at": _iso(conversation.get("updated_at")),
                "resolved_at": _iso(statistics.get("last_close_at")) if closed else None,
                "subject": subject or None,
                "body": _text(source.get("body")) or None,
            },
        }

    def _account_of_contact(self, contact_id: str) -> str | None:
        if contact_id not in self._contact_accounts:
            contact = self.api.contact(contact_id)
            self._contact_accounts[contact_id] = self._account_of(contact) if contact else None
        return self._contact_accounts[contact_id]

    def _account_of(self, contact: dict[str, Any]) -> str | None:
        """The account id of the contact's first company, by the company mapping's rule."""
        linked = (contact.get("companies") or {}).get("data") or []
        for link in linked:
            company = self._all_companies().get(str(link.get("id")))
            if company is not None:
                value = self._account_rule_value(company)
                if value not in (None, ""):
                    return str(value)
        return None

    def _account_rule_value(self, company: dict[str, Any]) -> Any:
        for mapping in self.mapping.objects.values():
            if mapping.source_object == "companies" and mapping.table == "accounts":
                for rule in mapping.columns:
                    if rule.column == "account_id":
                        return rule.value(self._company_record(company))
        return company.get("company_id") or company.get("id")

    # --- pages ------------------------------------------------------------------------
    def _page(
        self, mapping: ObjectMapping, records: list[dict[str, Any]], position: IntercomCursor
    ) -> SourcePage:
        rows, source_ids, skipped = map_records(mapping, records)
        return SourcePage(
            table=mapping.table,
            rows=rows,
            source_ids=source_ids,
            cursor=position.text(),
            fields=mapping.fields,
            skipped=skipped,
            owner_column=mapping.owner.column if mapping.owner else None,
        )


def _stamp(item: dict[str, Any]) -> int:
    try:
        return int(item.get("updated_at") or 0)
    except (TypeError, ValueError):
        return 0


def _iso(epoch: Any) -> str | None:
    """Intercom's epoch seconds as an ISO 8601 UTC date-time (None stays None)."""
    if epoch in (None, ""):
        return None
    try:
        return datetime.fromtimestamp(int(epoch), UTC).isoformat()
    except (TypeError, ValueError, OverflowError):
        return str(epoch)  # the importer reports it, located


def _annual(monthly: Any) -> Any:
    try:
        return round(float(monthly) * 12, 2) if monthly not in (None, "") else None
    except (TypeError, ValueError):
        return monthly


def _text(markup: Any) -> str:
    """A part's HTML body as one line of plain text."""
    if not markup:
        return ""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", str(markup)))).strip()


# --- the registry's entry points (bot.sources.sync.registry) ----------------------------
def configured(settings: Settings) -> bool:
    """Intercom syncs when an access token is set."""
    return settings.intercom_token is not None


def build_api(settings: Settings) -> IntercomApi:
    if settings.intercom_token is None:
        raise SourceError("intercom: CSBOT_INTERCOM_TOKEN is not set")
    return IntercomApi(
        token=settings.intercom_token.get_secret_value(), base_url=settings.intercom_base_url
    )


def build(settings: Settings) -> IntercomConnector:
    mapping = load_mapping("intercom", settings.sync_mapping_dir)
    return IntercomConnector(api=build_api(settings), mapping=mapping)
