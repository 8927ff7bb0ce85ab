"""Scoring runs: score the portfolio on a day and store the day's snapshots.

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
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from bot.db.audit import record_audit
from bot.db.base import utcnow
from bot.db.health_snapshots import (
    previous_bands,
    upsert_health_snapshots,
)
from bot.db.scoring_features import account_aggregates_concurrently
from bot.db.session import unit_of_work
from scoring.config import HealthConfig
from scoring.portfolio import PortfolioScores, score_accounts
from scoring.snapshots import snapshot_frame

if TYPE_CHECKING:
    from bot.services import Services
from bot.services.health.config import health_config, today_for
from bot.services.health.model import churn_model_for_scoring

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
