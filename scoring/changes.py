"""What changed between two stored snapshots of one account, component by component.

Works on the snapshot shape the store keeps (``components`` and ``drivers`` JSON), so
it can compare any two days, including ones scored with an older config version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scoring.config import COMPONENTS


@dataclass(frozen=True, slots=True)
class MeasureChange:
    measure: str
    before: float | None
    after: float | None


@dataclass(frozen=True, slots=True)
class ComponentChange:
    component: str
    before: float | None
    after: float | None
    delta: float | None
    measures: tuple[MeasureChange, ...]


@dataclass(frozen=True, slots=True)
class SnapshotChange:
    account_id: str
    from_date: str
    to_date: str
    health_before: float
    health_after: float
    health_delta: float
    band_before: str
    band_after: str
    components: tuple[ComponentChange, ...]
    drivers_new: tuple[str, ...]
    drivers_gone: tuple[str, ...]

    def lines(self) -> list[str]:
        """Plain-language summary, biggest component moves first."""
        out = [
            f"health {self.health_before:.1f} → {self.health_after:.1f} "
            f"({self.health_delta:+.1f}) from {self.from_date} to {self.to_date}"
        ]
        if self.band_before != self.band_after:
            out.append(f"band {self.band_before} → {self.band_after}")
        moved = [c for c in self.components if c.delta is not None and abs(c.delta) >= 0.05]
        for change in sorted(moved, key=lambda c: -abs(c.delta or 0.0)):
            out.append(
                f"{change.component} {change.before:.1f} → {change.after:.1f} ({change.delta:+.1f})"
            )
        for change in self.components:
            if change.before is None and change.after is not None:
                out.append(f"{change.component} now has data ({change.after:.1f})")
            elif change.before is not None and change.after is None:
                out.append(f"{change.component} no longer has data")
        out.extend(f"new driver: {text}" for text in self.drivers_new)
        out.extend(f"no longer a driver: {text}" for text in self.drivers_gone)
        return out


def compare_snapshots(before: Mapping[str, Any], after: Mapping[str, Any]) -> SnapshotChange:
    """Compare two snapshots (mappings with score, band, components, drivers, as_of)."""
    components = []
    for name in COMPONENTS:
        old = (before.get("components") or {}).get(name) or {}
        new = (after.get("components") or {}).get(name) or {}
        old_score, new_score = old.get("score"), new.get("score")
        delta = None if old_score is None or new_score is None else round(new_score - old_score, 1)
        measure_names = list(
            dict.fromkeys([*(old.get("measures") or {}), *(new.get("measures") or {})])
        )
        measures = tuple(
            MeasureChange(m, (old.get("measures") or {}).get(m), (new.get("measures") or {}).get(m))
            for m in measure_names
            if (old.get("measures") or {}).get(m) != (new.get("measures") or {}).get(m)
        )
        components.append(ComponentChange(name, old_score, new_score, delta, measures))
    old_drivers = [d["text"] for d in before.get("drivers") or []]
    new_drivers = [d["text"] for d in after.get("drivers") or []]
    return SnapshotChange(
        account_id=str(after.get("account_id") or before.get("account_id")),
        from_date=str(before["as_of"]),
        to_date=str(after["as_of"]),
        health_before=float(before["score"]),
        health_after=float(after["score"]),
        health_delta=round(float(after["score"]) - float(before["score"]), 1),
        band_before=str(before["band"]),
        band_after=str(after["band"]),
        components=tuple(components),
        drivers_new=tuple(t for t in new_drivers if t not in old_drivers),
        drivers_gone=tuple(t for t in old_drivers if t not in new_drivers),
    )
