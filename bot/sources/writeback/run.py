"""``csbot writeback crm`` and the writeback job: push changed health fields to the CRMs.

For each configured CRM target: read the latest score per account and what was last
pushed, plan only the changed fields (:mod:`bot.sources.writeback.plan`), send them in
the CRM's batch call, then remember the values of the records the CRM accepted. A
record the CRM refused is reported with its reason and remembered as nothing, so the
next run sends it again. A dry run plans and prints, sends nothing and stores nothing.
Every run that sends something leaves one audit record per CRM (counts and refused
record ids with the CRM's reason, never field values).
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.db.audit import record_audit
from bot.db.crm_writeback import PushedValue, latest_scores, pushed_values, record_pushed
from bot.db.session import unit_of_work
from bot.sources.writeback.plan import FieldUpdate, plan_updates

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordFailure:
    """One record the CRM refused, with the CRM's reason."""

    record_id: str
    message: str


class WritebackTarget(Protocol):
    """One CRM csbot writes health fields to."""

    crm: str  # "salesforce" | "hubspot"
    object_label: str  # "Account", "company": how a dry-run line names the record
    fields: Mapping[str, str]  # writeback source → CRM field

    def record_id_for(self, account_id: str) -> str | None:
        """The account's record id in this CRM (None: the account did not come from it)."""
        ...

    def wire_value(self, update: FieldUpdate) -> Any:
        """The value exactly as it goes on the wire (numbers as numbers, null as the CRM wants)."""
        ...

    def send(self, records: Mapping[str, Mapping[str, Any]]) -> list[RecordFailure]:
        """Set the fields of each record (record id → field → wire value); per-record failures."""
        ...


@dataclass
class CrmReport:
    crm: str
    planned: list[FieldUpdate] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    records_sent: int = 0
    fields_sent: int = 0
    failures: list[RecordFailure] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "crm": self.crm,
            "fields_planned": len(self.planned),
            "records_planned": len({u.record_id for u in self.planned}),
            "records_sent": self.records_sent,
            "fields_sent": self.fields_sent,
            "records_failed": len(self.failures),
            "failures": [f"{f.record_id}: {f.message}" for f in self.failures[:50]],
        }


@dataclass
class WritebackReport:
    dry_run: bool
    crms: list[CrmReport] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(report.failures for report in self.crms)


def update_line(target: WritebackTarget, update: FieldUpdate) -> str:
    """One dry-run line: the record and field, and the value exactly as it would be sent."""
    return (
        f"{target.crm} {target.object_label} {update.record_id}: "
        f"{update.field} = {json.dumps(target.wire_value(update))}"
    )


def run_writeback(
    session_factory: Callable[[], Any],
    targets: list[WritebackTarget],
    *,
    now: datetime,
    dry_run: bool = False,
    actor: str = "system",
) -> WritebackReport:
    """Plan, and unless ``dry_run`` send and remember, each target's changed fields."""
    report = WritebackReport(dry_run=dry_run)
    for target in targets:
        with unit_of_work(session_factory) as session:
            scores = latest_scores(session=session)
            pushed = pushed_values(session=session, crm=target.crm)
        crm_report = CrmReport(crm=target.crm)
        crm_report.planned = plan_updates(scores, target.fields, pushed, target.record_id_for)
        crm_report.lines = [update_line(target, update) for update in crm_report.planned]
        report.crms.append(crm_report)
        if dry_run or not crm_report.planned:
            continue
        by_record: dict[str, list[FieldUpdate]] = defaultdict(list)
        for update in crm_report.planned:
            by_record[update.record_id].append(update)
        records = {
            record_id: {u.field: target.wire_value(u) for u in updates}
            for record_id, updates in by_record.items()
        }
        crm_report.failures = target.send(records)
        refused = {failure.record_id for failure in crm_report.failures}
        accepted = [u for u in crm_report.planned if u.record_id not in refused]
        crm_report.records_sent = len({u.record_id for u in accepted})
        crm_report.fields_sent = len(accepted)
        with unit_of_work(session_factory) as session:
            record_pushed(
                session=session,
                crm=target.crm,
                values=[PushedValue(u.account_id, u.record_id, u.field, u.value) for u in accepted],
                at=now,
            )
            record_audit(
                session=session,
                actor=actor,
                action="crm.writeback",
                target=target.crm,
                detail=crm_report.to_dict(),
            )
        logger.info(
            "crm writeback finished",
            extra={
                "crm": target.crm,
                "records_sent": crm_report.records_sent,
                "fields_sent": crm_report.fields_sent,
                "records_failed": len(crm_report.failures),
            },
        )
    return report
