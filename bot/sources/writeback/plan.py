"""What writeback would send: the changed health fields of each account's CRM record.

Pure planning over plain values (no I/O): the latest score per account becomes one
canonical text per writeback field, compared with the text last pushed to that CRM
field. Only differences become :class:`FieldUpdate` rows, so an unchanged portfolio
plans nothing and a re-run after a successful push sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC

from bot.db.crm_writeback import LatestScore, PushedValue

# The values csbot can write back, in the order a record's lines are printed.
WRITEBACK_SOURCES: tuple[str, ...] = (
    "health_score",
    "band",
    "churn_risk",
    "top_driver",
    "scored_at",
)
NUMERIC_SOURCES = frozenset({"health_score", "churn_risk"})
TEXT_LIMIT = 255  # a CRM text field's usual length (Salesforce Text(255), HubSpot single-line)


@dataclass(frozen=True)
class FieldUpdate:
    """One CRM field of one record to set: ``value`` is canonical text (None clears it)."""

    account_id: str
    record_id: str
    source: str  # one of WRITEBACK_SOURCES
    field: str  # the CRM's field / property name
    value: str | None
    previous: str | None


def canonical_values(score: LatestScore) -> dict[str, str | None]:
    """The text each writeback source has for this snapshot (stable, so diffs are exact)."""
    top = None
    if score.drivers:
        first = score.drivers[0]
        text = first.get("text") if isinstance(first, Mapping) else str(first)
        top = str(text)[:TEXT_LIMIT] if text else None
    return {
        "health_score": f"{score.score:.1f}",
        "band": score.band,
        "churn_risk": None if score.churn_risk is None else f"{score.churn_risk:.3f}",
        "top_driver": top,
        "scored_at": score.computed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def plan_updates(
    scores: Iterable[LatestScore],
    fields: Mapping[str, str],
    pushed: Mapping[tuple[str, str], PushedValue],
    record_id_for: Callable[[str], str | None],
) -> list[FieldUpdate]:
    """Every field whose canonical value differs from what was last pushed.

    Args:
        scores: the latest snapshot per account.
        fields: writeback source → CRM field name (only the sources the mapping names).
        pushed: what was last pushed, by (account id, CRM field).
        record_id_for: the account's CRM record id, or None when it did not come from
            this CRM (nothing is planned for it).
    """
    updates: list[FieldUpdate] = []
    for score in scores:
        record_id = record_id_for(score.account_id)
        if record_id is None:
            continue
        values = canonical_values(score)
        for source in WRITEBACK_SOURCES:
            field = fields.get(source)
            if field is None:
                continue
            last = pushed.get((score.account_id, field))
            if last is not None and last.record_id == record_id and last.value == values[source]:
                continue
            updates.append(
                FieldUpdate(
                    account_id=score.account_id,
                    record_id=record_id,
                    source=source,
                    field=field,
                    value=values[source],
                    previous=last.value if last is not None else None,
                )
            )
    return updates
