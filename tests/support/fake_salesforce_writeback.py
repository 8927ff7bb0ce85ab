"""Writeback routes for FakeSalesforce: ``PATCH /services/data/vXX.X/composite/sobjects``.

Installed with :func:`install_composite` (``FakeSalesforce.add_route``), so the sync
engineer's fake stays as it is. The route behaves as Salesforce's sObject Collections
update does: at most 200 records per call (more: 400 ``EXCEEDED_ID_LIMIT``); a field
the sObject does not have fails the whole call (400 ``INVALID_FIELD``, the recorded
``write_error_response`` shape); with ``allOrNone: false`` each record gets its own
result in request order (``{"id", "success", "errors"}``), and a deleted or unknown
record, or one listed in ``reject``, fails alone (``ENTITY_IS_DELETED``,
``INVALID_CROSS_REFERENCE_KEY``, ``FIELD_CUSTOM_VALIDATION_EXCEPTION``).
Accepted field values are stored on the record and kept in ``received``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.support.fake_salesforce import FakeSalesforce, Request, Response

COLLECTION_MAX = 200
WRITEBACK_FIELDS = frozenset(
    {
        "CSBot_Health_Score__c",
        "CSBot_Health_Band__c",
        "CSBot_Churn_Risk__c",
        "CSBot_Top_Driver__c",
        "CSBot_Scored_At__c",
    }
)


@dataclass
class CompositeWrites:
    """What the composite route received and will refuse."""

    received: list[tuple[str, str, Any]] = field(default_factory=list)  # (id, field, value)
    calls: int = 0
    sizes: list[int] = field(default_factory=list)  # records per call
    reject: dict[str, str] = field(default_factory=dict)  # record id → message, once


def install_composite(fake: FakeSalesforce) -> CompositeWrites:
    writes = CompositeWrites()

    def update(fake: FakeSalesforce, request: Request) -> Response:
        body = json.loads(request.body or b"{}")
        records = body.get("records") or []
        writes.calls += 1
        writes.sizes.append(len(records))
        if len(records) > COLLECTION_MAX:
            return Response(
                400,
                [
                    {
                        "message": f"You can update at most {COLLECTION_MAX} records",
                        "errorCode": "EXCEEDED_ID_LIMIT",
                    }
                ],
            )
        for record in records:
            sobject = (record.get("attributes") or {}).get("type", "")
            known = WRITEBACK_FIELDS | set(next(iter(fake.records.get(sobject, {}).values()), {}))
            for name in record:
                if name not in ("attributes", "id") and name not in known:
                    return Response(
                        400,
                        [
                            {
                                "message": f"No such column '{name}' on sobject of type {sobject}",
                                "errorCode": "INVALID_FIELD",
                            }
                        ],
                    )
        results = []
        for record in records:
            record_id = str(record.get("id"))
            sobject = (record.get("attributes") or {}).get("type", "")
            stored = fake.records.get(sobject, {}).get(record_id)
            if record_id in writes.reject:
                message = writes.reject.pop(record_id)
                results.append(_failed("FIELD_CUSTOM_VALIDATION_EXCEPTION", message))
            elif stored is None:
                results.append(_failed("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id"))
            elif stored.get("IsDeleted"):
                results.append(_failed("ENTITY_IS_DELETED", "entity is deleted"))
            else:
                values = {k: v for k, v in record.items() if k not in ("attributes", "id")}
                fake.touch(sobject, record_id, **values)
                writes.received.extend((record_id, k, v) for k, v in values.items())
                results.append({"id": record_id, "success": True, "errors": []})
        return Response(200, results)

    fake.add_route("PATCH", r"/services/data/v[\d.]+/composite/sobjects", update)
    return writes


def _failed(code: str, message: str) -> dict[str, Any]:
    return {"success": False, "errors": [{"statusCode": code, "message": message, "fields": []}]}
