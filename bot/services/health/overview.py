"""One account's health as people read it: overview, drivers, changes, and band overrides.

An override is a CSM's recorded judgement (reason, until when) that wins over the
computed band until it expires; every override is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from bot.db.audit import record_audit
from bot.db.health_overrides import (
    active_health_override,
    create_health_override,
)
from bot.db.health_snapshots import (
    snapshot_deltas,
    snapshot_on_or_before,
)
from bot.db.models import HealthOverride, HealthScore
from bot.db.session import unit_of_work
from bot.errors import UserFacingError
from scoring.changes import SnapshotChange, compare_snapshots
from scoring.config import BANDS

if TYPE_CHECKING:
    from bot.services import Services
from bot.services.health.config import health_config, today_for


# -------------------------------------------------------------------------- overrides
def override_health_band(
    services: Services,
    account: str,
    band: str,
    *,
    reason: str,
    until: date,
    actor: str,
    today: date | None = None,
) -> HealthOverride:
    """Record a CSM's band override with its reason and expiry, audited.

    Raises:
        UserFacingError: for an unknown band, an empty reason or an expiry in the past.
        AccountNotFound: when no account matches ``account``.
    """
    band = band.strip().lower()
    if band not in BANDS:
        raise UserFacingError(f"band must be one of {', '.join(BANDS)}, not {band!r}")
    if not reason.strip():
        raise UserFacingError("an override needs a reason (--reason TEXT)")
    day = today or today_for(services)
    if until < day:
        raise UserFacingError(
            f"--until {until.isoformat()} is in the past (today is {day.isoformat()})"
        )
    with unit_of_work(services.session_factory) as session:
        account_id, _name = _resolve(services, session, account)
        override = create_health_override(
            session=session,
            account_id=account_id,
            band=band,
            reason=reason.strip(),
            until=until,
            created_by=actor,
        )
        record_audit(
            session=session,
            actor=actor,
            action="health.override",
            target=account_id,
            detail={"band": band, "reason": reason.strip(), "until": until.isoformat()},
        )
    return override


@dataclass(frozen=True)
class HealthOverview:
    """What ``csbot health show`` and the Slack health card need for one account."""

    account_id: str
    account_name: str
    snapshot: HealthScore
    delta_7d: float | None
    delta_30d: float | None
    override: HealthOverride | None
    risk_drivers: tuple[str, ...] = ()  # what raises the model's churn risk, with numbers
    risk_source: str | None = None  # "model" or "health": where churn_risk comes from


def health_overview(
    services: Services, account: str, *, as_of: date | None = None
) -> HealthOverview:
    """Latest snapshot, 7/30-day deltas and any override in force for one account.

    Raises:
        AccountNotFound: no such account.
        UserFacingError: the account has never been scored.
    """
    day = as_of or today_for(services)
    with unit_of_work(services.session_factory) as session:
        account_id, name = _resolve(services, session, account)
        snapshot = snapshot_on_or_before(session=session, account_id=account_id, day=day)
        if snapshot is None:
            raise UserFacingError(f"{name} has not been scored yet; run `csbot score`")
        deltas = snapshot_deltas(session=session, as_of=snapshot.as_of, account_ids=[account_id])
        override = active_health_override(session=session, account_id=account_id, on=day)
        source, risk_drivers = _risk_drivers(services, session, account_id, snapshot.as_of)
    row = deltas.iloc[0] if not deltas.empty else None
    return HealthOverview(
        account_id=account_id,
        account_name=name,
        snapshot=snapshot,
        delta_7d=_optional_float(row["delta_7d"]) if row is not None else None,
        delta_30d=_optional_float(row["delta_30d"]) if row is not None else None,
        override=override,
        risk_drivers=risk_drivers,
        risk_source=source,
    )


def _risk_drivers(
    services: Services, session: Any, account_id: str, day: date
) -> tuple[str | None, tuple[str, ...]]:
    """The saved model's drivers of one account's churn risk on ``day`` (recomputed).

    When ``churn_risk`` comes from the health score, its drivers are the health drivers
    already on the snapshot, so none are added. A missing or stale model gives none.
    """
    from bot.db.scoring_features import account_aggregates
    from scoring.artifacts import ModelArtifactError, load_churn_model
    from scoring.measures import derive_measures

    config = health_config(services)
    try:
        model = load_churn_model(services.settings.models_dir, config_version=config.version)
    except ModelArtifactError:
        return None, ()
    if model is None:
        return None, ()
    if model.source != "model":
        return model.source, ()
    aggregates = account_aggregates(session=session, as_of=day, account_ids=[account_id])
    drivers = model.risk_drivers(derive_measures(aggregates), config)
    return model.source, tuple(drivers["text"].tolist())


def health_changes(services: Services, account: str, *, start: date, end: date) -> SnapshotChange:
    """What changed in one account's health between the snapshots nearest two days."""
    if end < start:
        raise UserFacingError("--to must not be before --from")
    with unit_of_work(services.session_factory) as session:
        account_id, name = _resolve(services, session, account)
        before = snapshot_on_or_before(session=session, account_id=account_id, day=start)
        after = snapshot_on_or_before(session=session, account_id=account_id, day=end)
    if before is None or after is None:
        raise UserFacingError(f"{name} has no snapshot on or before {start.isoformat()}")
    return compare_snapshots(_snapshot_mapping(before), _snapshot_mapping(after))


def _snapshot_mapping(row: HealthScore) -> dict[str, Any]:
    return {
        "account_id": row.account_id,
        "as_of": row.as_of.isoformat(),
        "score": row.score,
        "band": row.band,
        "components": row.components,
        "drivers": row.drivers,
    }


def _resolve(services: Services, session: Any, account: str) -> tuple[str, str]:
    """An id or a name, fuzzy-matched like the assistant does ("globex" → Globex Corporation).

    The health commands are operator tools on the command line, so every account is in scope.
    """
    from bot.db.queries.scope import AccountScope
    from bot.services.accounts.names import resolve_one

    found = resolve_one(services.account_names, session, account, AccountScope.everything())
    return found.account_id, found.name


def _optional_float(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
