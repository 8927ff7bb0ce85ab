"""HubSpot as a writeback target: health fields as company properties, by batch update."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.sources.hubspot.api import HubSpotApi
from bot.sources.writeback.plan import FieldUpdate
from bot.sources.writeback.run import RecordFailure


@dataclass
class HubSpotWriteback:
    """Company properties named in the mapping, up to 100 companies per batch update."""

    api: HubSpotApi
    fields: Mapping[str, str]
    record_ids: Callable[[str], str | None]
    crm: str = "hubspot"
    object_label: str = "company"

    def record_id_for(self, account_id: str) -> str | None:
        return self.record_ids(account_id)

    def wire_value(self, update: FieldUpdate) -> Any:
        """HubSpot properties are text; an empty string clears one."""
        return "" if update.value is None else update.value

    def send(self, records: Mapping[str, Mapping[str, Any]]) -> list[RecordFailure]:
        failures = self.api.update_companies(
            {record_id: dict(values) for record_id, values in records.items()}
        )
        return [RecordFailure(failure.id, failure.message) for failure in failures]
