"""Salesforce as a writeback target: custom fields on Account, by sObject Collections.

``PATCH /services/data/vXX.X/composite/sobjects`` with ``allOrNone: false`` updates up
to 200 records per call and answers one result per record, in request order: a
refused record (deleted, a validation rule, a locked row) fails alone and is retried
on the next run. The call goes through the Salesforce connector's client, so it shares
its session, its re-login on an expired session and its bounded retries (429 with
Retry-After, REQUEST_LIMIT_EXCEEDED, 5xx).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.settings import Settings
from bot.sources.sync.protocol import SourceError
from bot.sources.sync.salesforce import SalesforceConnector, build
from bot.sources.writeback.mapping import WritebackMapping
from bot.sources.writeback.plan import NUMERIC_SOURCES, FieldUpdate
from bot.sources.writeback.run import RecordFailure

COLLECTION_MAX = 200


@dataclass
class SalesforceWriteback:
    connector: SalesforceConnector
    object_label: str  # the sObject: "Account"
    fields: Mapping[str, str]
    record_ids: Callable[[str], str | None]
    crm: str = "salesforce"

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        mapping: WritebackMapping,
        *,
        record_ids: Callable[[str], str | None],
    ) -> SalesforceWriteback:
        return cls(build(settings), mapping.object, mapping.fields, record_ids)

    def record_id_for(self, account_id: str) -> str | None:
        return self.record_ids(account_id)

    def wire_value(self, update: FieldUpdate) -> Any:
        """Numbers for the number fields, text otherwise, null to clear a field."""
        if update.value is None:
            return None
        if update.source in NUMERIC_SOURCES:
            return float(update.value)
        return update.value

    def send(self, records: Mapping[str, Mapping[str, Any]]) -> list[RecordFailure]:
        items = list(records.items())
        failures: list[RecordFailure] = []
        for start in range(0, len(items), COLLECTION_MAX):
            chunk = items[start : start + COLLECTION_MAX]
            body = {
                "allOrNone": False,
                "records": [
                    {"attributes": {"type": self.object_label}, "id": record_id, **values}
                    for record_id, values in chunk
                ],
            }
            try:
                results = self.connector._call(  # noqa: SLF001 - its retries and re-login
                    f"salesforce {self.object_label} writeback",
                    lambda client, body=body: client.restful(
                        "composite/sobjects", method="PATCH", json=body
                    ),
                )
            except SourceError as exc:  # the whole call was refused: every record failed
                failures.extend(RecordFailure(record_id, str(exc)) for record_id, _ in chunk)
                continue
            for (record_id, _), result in zip(chunk, results or [], strict=False):
                if result.get("success"):
                    continue
                reasons = "; ".join(
                    f"{error.get('statusCode')}: {error.get('message')}"
                    for error in result.get("errors") or []
                )
                failures.append(RecordFailure(record_id, reasons or "refused"))
            if len(results or []) < len(chunk):
                failures.extend(
                    RecordFailure(record_id, "no result in Salesforce's answer")
                    for record_id, _ in chunk[len(results or []) :]
                )
        return failures
