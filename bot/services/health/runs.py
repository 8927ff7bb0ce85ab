"""Scoring use cases: score the portfolio, train and report the churn model, overrides.

The database aggregates (``bot.db.scoring_features``), the pure scoring package turns
aggregates into scores, and this module wires the two together with the store's
snapshot history, the model artifact and the audit log. The daily job, ``csbot score``
and Slack all call these functions.
"""

from __future__ import annotations

import gc
import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from bot.db.audit import record_audit
from bot.db.base import utcnow
from bot.db.health_overrides import (
    active_health_override,
    create_health_override,
)
from bot.db.health_snapshots import (
    previous_bands,
    snapshot_deltas,
    snapshot_on_or_before,
    upsert_health_snapshots,
)
from bot.db.models import HealthOverride, HealthScore
from bot.db.scoring_features import account_aggregates_concurrently, outcome_aggregates
from bot.db.session import unit_of_work
from bot.errors import UserFacingError
from scoring.changes import SnapshotChange, compare_snapshots
from scoring.config import BANDS, HealthConfig, load_health_config
from scoring.portfolio import PortfolioScores, score_accounts
from scoring.snapshots import snapshot_frame

if TYPE_CHECKING:
    from bot.services import Services
    from scoring.backtest import BacktestReport
    from scoring.churn_model import ChurnModel
    from scoring.training import TrainingResult

logger = logging.getLogger(__name__)

CSV_COLUMNS: tuple[str, ...] = (
    "account_id",
    "health",
    "band",
    "churn_risk",
    "expansion",
    "stage",
    "top_drivers",
)


@dataclass(frozen=True)
class ScoreRun:
    """One portfolio scoring: the per-account table, the details, and the model used."""

    as_of: date
    table: pd.DataFrame  # CSV_COLUMNS, one row per active account
    portfolio: PortfolioScores
    model_status: str
    snapshots_written: int
    seconds: dict[str, float]  # per stage: model, aggregate, score, persist


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


def health_config(services: Services) -> HealthConfig:
    """The health config in force: CSBOT_HEALTH_CONFIG (or applied weights), else packaged.

    Raises:
        ConfigurationError: the file became unreadable or invalid since start-up.
    """
    from bot.errors import ConfigurationError
    from scoring.config import HealthConfigError

    path = services.settings.health_config_path
    try:
        return load_health_config(path)
    except HealthConfigError as exc:
        raise ConfigurationError(f"CSBOT_HEALTH_CONFIG: {exc}") from None


def today_for(services: Services) -> date:
    return datetime.now(services.settings.tz).date()


# ---------------------------------------------------------------------------- scoring
def score_portfolio(
    services: Services,
    as_of: date | None = None,
    *,
    persist: bool = True,
    train_if_missing: bool = True,
    config: HealthConfig | None = None,
    actor: str = "system",
) -> ScoreRun:
    """Score every account active on ``as_of`` and store the day's snapshots.

    Args:
        services: the app's collaborators.
        as_of: the scoring day (default today in the configured time zone); only data
            dated before it is read.
        persist: write ``health_scores`` rows (upserted, so re-running a day is safe).
        train_if_missing: train the churn model first when none is saved yet.
        config: health config (default: the packaged current version).
        actor: who asked, for the audit log.
    """
    config = config or health_config(services)
    day = as_of or today_for(services)
    clock = _StageClock()
    model, model_status = churn_model_for_scoring(
        services, config=config, as_of=day, train_if_missing=train_if_missing
    )
    clock.lap("model")
    with _cyclic_gc_paused():
        aggregates = account_aggregates_concurrently(
            session_factory=services.session_factory, as_of=day
        )
        with unit_of_work(services.session_factory) as session:
            bands = previous_bands(session=session, before=day)
            clock.lap("aggregate")
            portfolio = score_accounts(aggregates, config, previous_bands=bands, churn_model=model)
            clock.lap("score")
            written = 0
            if persist:
                rows = snapshot_rows(portfolio, config, computed_at=utcnow())
                written = upsert_health_snapshots(session=session, rows=rows)
                record_audit(
                    session=session,
                    actor=actor,
                    action="health.score",
                    target=day.isoformat(),
                    detail={
                        "accounts": len(rows),
                        "config_version": config.version,
                        "model": model_status,
                        "bands": portfolio.scores["band"].value_counts().to_dict(),
                    },
                )
    clock.lap("persist")
    logger.info(
        "portfolio scored",
        extra={
            "as_of": day.isoformat(),
            "accounts": len(portfolio.scores),
            "model": model_status,
            "seconds": clock.seconds,
        },
    )
    return ScoreRun(
        as_of=day,
        table=score_table(portfolio, config),
        portfolio=portfolio,
        model_status=model_status,
        snapshots_written=written,
        seconds=clock.seconds,
    )


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector while a portfolio is built and written.

    Fetching and framing 20,000 accounts creates a few hundred thousand tuples and
    lists that all stay alive; each automatic collection they trigger walks every live
    object in the process (the loaded model, modules, caches), which cost up to a third
    of the score's wall time. Nothing here relies on cycle collection, reference counting
    still frees memory as usual, and the collector resumes (and catches up) afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _StageClock:
    """Wall time per stage, so a slow morning run says where the time went."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = round(now - self._last, 3)
        self._last = now


def score_table(portfolio: PortfolioScores, config: HealthConfig) -> pd.DataFrame:
    """The ``csbot score`` CSV: one row per account, drivers joined with '; '."""
    scores = portfolio.scores
    table = pd.DataFrame(
        {
            "account_id": scores["account_id"].to_numpy(),
            "health": scores["health"].round(1).to_numpy(),
            "band": scores["band"].to_numpy(),
            "churn_risk": scores["churn_risk"].round(4).to_numpy(),
            "expansion": scores["expansion"].round(1).to_numpy(),
            "stage": scores["stage"].to_numpy(),
            "top_drivers": portfolio.top_driver_texts(config.drivers.summary_n).to_numpy(),
        }
    )
    return table[list(CSV_COLUMNS)]


def snapshot_rows(
    portfolio: PortfolioScores, config: HealthConfig, *, computed_at: datetime
) -> list[dict[str, Any]]:
    """``health_scores`` rows in the shape every reader relies on (see the team brief).

    JSON columns arrive as JSON text built column-wise (``scoring.snapshots``).
    """
    frame = snapshot_frame(portfolio, config)
    names = list(frame.columns)
    rows = [
        dict(zip(names, values, strict=True))
        for values in zip(*(frame[name].tolist() for name in names), strict=True)
    ]
    for row in rows:
        row["computed_at"] = computed_at
    return rows


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


# ------------------------------------------------------------------------------ model
def churn_model_for_scoring(
    services: Services, *, config: HealthConfig, as_of: date, train_if_missing: bool
) -> tuple[ChurnModel | None, str]:
    """The saved churn model, training one first if allowed; plus a status line saying which.

    A model saved by other library or config versions is retrained rather than trusted.
    Without enough history the score still runs, with churn risk left empty and the
    reason in the status line.
    """
    from scoring.artifacts import ModelArtifactError, load_churn_model

    models_dir = services.settings.models_dir
    try:
        model = load_churn_model(models_dir, config_version=config.version)
    except ModelArtifactError as exc:
        logger.warning("churn model unusable, retraining", extra={"reason": str(exc)})
        model = None
    if model is not None:
        return (
            model,
            f"churn model {model.metadata.get('kind')} trained "
            f"{(model.metadata.get('report') or {}).get('trained_at', 'at an unknown time')}"
            f"{_source_note(model.source)}",
        )
    if not train_if_missing:
        return None, "no churn model trained; churn_risk left empty (run `csbot model train`)"
    from scoring.training import InsufficientHistory

    try:
        result = train_churn_model(services, as_of=as_of, config=config)
    except InsufficientHistory as exc:
        return None, f"no churn model: {exc}; churn_risk left empty"
    return (
        result.model,
        f"churn model {result.report.chosen} trained just now{_source_note(result.model.source)}",
    )


def _source_note(source: str) -> str:
    if source == "health":
        return "; churn_risk from the calibrated health score (the model did not beat it)"
    return "; churn_risk from the model"


def train_churn_model(
    services: Services,
    *,
    as_of: date | None = None,
    config: HealthConfig | None = None,
    actor: str = "system",
) -> TrainingResult:
    """Train on every renewal outcome before ``as_of``, back-test, and save with metadata.

    Every outcome gives one sample per lead time in ``churn_model.lead_days``; after the
    time-ordered fit, the point-in-time back-test (:func:`backtest_churn_risk`) decides
    whether ``churn_risk`` comes from the model or from the calibrated health score.

    Raises:
        InsufficientHistory: too few outcomes, or a time slice with one class only.
    """
    from scoring.artifacts import save_churn_model
    from scoring.backtest import choose_risk_source
    from scoring.measures import derive_measures
    from scoring.training import TrainingResult, TrainingSet
    from scoring.training import train_churn_model as fit

    config = config or health_config(services)
    day = as_of or today_for(services)
    with unit_of_work(services.session_factory) as session:
        outcomes = outcome_aggregates(
            session=session, before=day, lead_days=config.churn_model.lead_days
        )
    training = TrainingSet(
        measures=derive_measures(outcomes.aggregates),
        labels=outcomes.labels,
        outcome_dates=outcomes.outcome_dates,
        outcome_ids=outcomes.contract_ids,
        groups=outcomes.account_ids,
        lead_days=outcomes.lead_days,
    )
    fitted = fit(training, config)
    backtest = backtest_churn_risk(services, fitted, config=config, before=day)
    source, reason = choose_risk_source(
        backtest, slice_auc=(fitted.report.model_test.auc, fitted.report.rule_test.auc)
    )
    report = replace(
        fitted.report,
        backtest=backtest.to_dict() if backtest is not None else {},
        risk_source=source,
        risk_source_reason=reason,
    )
    samples = int(len(outcomes.labels))
    distinct = int(outcomes.contract_ids.nunique())
    model = fitted.model.with_source(source, report=report.to_dict())
    result = TrainingResult(model=model, report=report, test_outcome_ids=fitted.test_outcome_ids)
    path = save_churn_model(
        result.model,
        services.settings.models_dir,
        extra={
            "data_as_of": day.isoformat(),
            "outcomes": distinct,
            "samples": samples,
            "test_outcome_ids": sorted(str(i) for i in fitted.test_outcome_ids),
        },
    )
    with unit_of_work(services.session_factory) as session:
        record_audit(
            session=session,
            actor=actor,
            action="model.train",
            target=str(path),
            detail={
                "chosen": report.chosen,
                "risk_source": source,
                "test_auc": report.model_test.auc,
                "rule_test_auc": report.rule_test.auc,
                "outcomes": distinct,
                "samples": samples,
            },
        )
    logger.info(
        "churn model trained",
        extra={"path": str(path), "kind": report.chosen, "risk_source": source},
    )
    return result


def backtest_churn_risk(
    services: Services, fitted: TrainingResult, *, config: HealthConfig, before: date
) -> BacktestReport | None:
    """Score every account on past days as ``csbot score --as-of D`` would, and compare.

    Days D run every ``backtest_step_days`` over the year before the test slice's
    renewals; each D is scored with only the data before it (the very aggregates the
    daily score reads), and so is D + 1 for the day-to-day stability figures. Labels
    are the test slice's outcomes only (never fitted or calibrated on). None when no
    day has a labelled next renewal.
    """
    from scoring.backtest import backtest_report, pooled_stability, stability
    from scoring.training import rule_based_health

    model = fitted.model
    calibration = model.health_calibration
    if calibration is None:
        return None

    def score(measures: pd.DataFrame) -> pd.DataFrame:
        health = rule_based_health(measures, config)["health"]
        return pd.DataFrame(
            {
                "health": health,
                "model_risk": model.model_risk(measures, config),
                "health_risk": calibration.probability(health).round(4),
            },
            index=measures.index,
        )

    found = _point_in_time(
        services, fitted.test_outcome_ids, config=config, before=before, score=score, pairs=True
    )
    if found is None:
        return None
    days, table, pairs = found
    limit = config.churn_model.max_daily_change
    flips = {
        column: pooled_stability(
            [stability(today[column], tomorrow[column], config) for today, tomorrow in pairs],
            limit,
        )
        for column in ("model_risk", "health_risk")
    }
    return backtest_report(
        table[["account_id", "label", "lead_days", "model_risk", "health", "health_risk"]],
        days=[on.isoformat() for on in days],
        model_stability=flips["model_risk"],
        health_stability=flips["health_risk"],
    )


def _point_in_time(
    services: Services,
    outcome_ids: frozenset[Any] | set[Any],
    *,
    config: HealthConfig,
    before: date,
    score: Any,
    pairs: bool,
) -> tuple[list[date], pd.DataFrame, list[tuple[pd.DataFrame, pd.DataFrame]]] | None:
    """Back-test days, their labelled scored rows, and (optionally) D / D+1 score pairs.

    ``score`` maps one day's measures to score columns (same index). Rows are the
    accounts whose contract running on D ends in one of ``outcome_ids``.
    """
    from bot.db.scoring_features import (
        MIN_HISTORY_DAYS,
        account_aggregates,
        renewal_outcomes,
        usage_history_start,
    )
    from scoring.backtest import label_next_renewals
    from scoring.measures import derive_measures

    rules = config.churn_model
    with unit_of_work(services.session_factory) as session:
        outcomes = renewal_outcomes(session=session, before=before)
        first_usage = usage_history_start(session=session)
    labelled = outcomes[outcomes["contract_id"].isin(list(outcome_ids))]
    if labelled.empty or first_usage is None:
        return None
    first = labelled["end_date"].min().date() - timedelta(days=rules.backtest_max_lead_days)
    start = max(first, first_usage + timedelta(days=MIN_HISTORY_DAYS))
    last = min(labelled["end_date"].max().date(), before - timedelta(days=1))
    days: list[date] = []
    day = start
    while day <= last:
        days.append(day)
        day += timedelta(days=rules.backtest_step_days)

    def scored(session: Any, on: date) -> pd.DataFrame:
        measures = derive_measures(account_aggregates(session=session, as_of=on))
        return pd.concat([measures, score(measures)], axis=1)

    rows: list[pd.DataFrame] = []
    day_pairs: list[tuple[pd.DataFrame, pd.DataFrame]] = []
    with unit_of_work(services.session_factory) as session:
        for on in days:
            today = scored(session, on)
            labels = label_next_renewals(today, labelled)
            rows.append(today.loc[labels.index].assign(**labels))
            if pairs and on + timedelta(days=1) < before:
                tomorrow = scored(session, on + timedelta(days=1))
                day_pairs.append((today.set_index("account_id"), tomorrow.set_index("account_id")))
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    if table.empty:
        return None
    return days, table, day_pairs


@dataclass(frozen=True)
class WeightsReview:
    """Current vs proposed component weights, each back-tested point in time."""

    current: HealthConfig
    proposed: HealthConfig
    comparison: list[dict[str, Any]]  # per lead-time bucket: AUC and precision, both configs
    applied_to: Path | None


def review_health_weights(
    services: Services, *, apply: bool, today: date | None = None, actor: str = "system"
) -> WeightsReview:
    """Back-test the saved model's proposed weights beside the current ones; apply if asked.

    Applying writes the proposed config (a new version name, so stored snapshots keep
    saying which weights scored them) to CSBOT_HEALTH_CONFIG, or to
    ``<data dir>/health_config.yaml`` when that is unset, and is audited. The churn model,
    trained for the old version, is retrained at the next score.

    Raises:
        UserFacingError: no trained model (nothing proposed) or no back-test possible.
    """
    import yaml

    from scoring.artifacts import read_model_metadata
    from scoring.backtest import compare_health_configs
    from scoring.training import rule_based_health

    metadata = read_model_metadata(services.settings.models_dir)
    report = (metadata or {}).get("report") or {}
    proposed_weights = report.get("proposed_weights")
    test_ids = set((metadata or {}).get("test_outcome_ids") or ())
    if not proposed_weights or not test_ids:
        raise UserFacingError("no proposed weights yet; run `csbot model train` first")
    current = health_config(services)
    day = today or today_for(services)
    proposed = current.with_component_weights(proposed_weights).model_copy(
        update={"version": f"{current.version.split('+')[0]}+weights-{day.isoformat()}"}
    )

    def score(measures: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "health": rule_based_health(measures, current)["health"],
                "proposed_health": rule_based_health(measures, proposed)["health"],
            },
            index=measures.index,
        )

    before = date.fromisoformat(metadata["data_as_of"]) if metadata.get("data_as_of") else day
    found = _point_in_time(
        services, test_ids, config=current, before=before, score=score, pairs=False
    )
    if found is None:
        raise UserFacingError("no back-test day has a known next renewal to compare weights on")
    _days, table, _pairs = found
    comparison = compare_health_configs(table)
    target: Path | None = None
    if apply:
        target = services.settings.health_config_file or (
            services.settings.data_dir / "health_config.yaml"
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_text(
            "# Written by `csbot model apply-weights`: the packaged config with component\n"
            "# weights fitted to renewal outcomes (see `csbot model report`).\n"
            + yaml.safe_dump(proposed.model_dump(mode="json"), sort_keys=False),
            encoding="utf-8",
        )
        load_health_config(temporary)  # never write a file that would not load
        temporary.replace(target)
        with unit_of_work(services.session_factory) as session:
            record_audit(
                session=session,
                actor=actor,
                action="health.apply_weights",
                target=str(target),
                detail={
                    "from": current.version,
                    "to": proposed.version,
                    "weights": proposed.component_weights,
                },
            )
    return WeightsReview(current, proposed, comparison, target)


def saved_model_summary(services: Services) -> dict[str, Any] | None:
    """Kind, training day, outcomes and held-out AUCs of the saved churn model (None: none)."""
    from scoring.artifacts import read_model_metadata

    metadata = read_model_metadata(services.settings.models_dir)
    if metadata is None:
        return None
    report = metadata.get("report") or {}
    return {
        "kind": metadata.get("kind"),
        "config_version": metadata.get("config_version"),
        "trained_at": report.get("trained_at"),
        "data_as_of": metadata.get("data_as_of"),
        "outcomes": metadata.get("outcomes"),
        "test_auc": (report.get("model_test") or {}).get("auc"),
        "rule_test_auc": (report.get("rule_test") or {}).get("auc"),
        "risk_source": metadata.get("risk_source", "model"),
        "risk_source_reason": report.get("risk_source_reason"),
    }


def training_outcome_counts(
    services: Services, *, as_of: date, config: HealthConfig | None = None
) -> dict[str, int]:
    """How many past renewals (and churns) a model trained on ``as_of`` would learn from."""
    from bot.db.scoring_features import trainable_outcomes

    config = config or health_config(services)
    with unit_of_work(services.session_factory) as session:
        outcomes = trainable_outcomes(
            session=session, before=as_of, horizon_days=min(config.churn_model.lead_days)
        )
    return {
        "outcomes": int(len(outcomes)),
        "churned": int((outcomes["status"] == "churned").sum()) if len(outcomes) else 0,
    }


def churn_model_report(services: Services, *, train_if_missing: bool = True) -> dict[str, Any]:
    """The held-out report saved with the current model (training one first if needed)."""
    from scoring.artifacts import read_model_metadata

    metadata = read_model_metadata(services.settings.models_dir)
    if metadata is None or "report" not in metadata:
        if not train_if_missing:
            raise UserFacingError("no churn model trained yet; run `csbot model train`")
        train_churn_model(services)
        metadata = read_model_metadata(services.settings.models_dir) or {}
    return metadata


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
    return None if _missing(value) or pd.isna(value) else float(value)
