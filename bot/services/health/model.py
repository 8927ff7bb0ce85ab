"""The churn model for health: train it, back-test it against health, report it, review weights.

Training and the point-in-time back-test decide whether churn_risk comes from the model
or from calibrated health (see scoring.backtest); the report shows that choice and why."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from bot.db.audit import record_audit
from bot.db.scoring_features import outcome_aggregates
from bot.db.session import unit_of_work
from bot.errors import UserFacingError
from scoring.config import HealthConfig, load_health_config

if TYPE_CHECKING:
    from bot.services import Services
    from scoring.backtest import BacktestReport
    from scoring.churn_model import ChurnModel
    from scoring.training import TrainingResult
from bot.services.health.config import health_config, today_for

logger = logging.getLogger(__name__)


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
