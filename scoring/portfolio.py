"""Score a whole portfolio at once: aggregates in, typed frames out.

This is the one entry point the daily job, ``csbot score`` and the training code share:
measures, measure scores, components, health with hysteresis, churn risk, expansion,
lifecycle stage and drivers, every step a column operation over all accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.churn_model import ChurnModel
from scoring.config import COMPONENTS, HealthConfig
from scoring.drivers import build_drivers, no_data_drivers
from scoring.expansion import expansion_propensity
from scoring.health import apply_hysteresis, component_scores, overall_health, score_measures
from scoring.measures import derive_measures
from scoring.stage import lifecycle_stage

SCORE_COLUMNS: tuple[str, ...] = (
    "account_id",
    "as_of",
    "health",
    "computed_band",
    "band",
    "missing_components",
    "churn_risk",
    "expansion",
    "stage",
    "no_data",
)


@dataclass(frozen=True)
class PortfolioScores:
    """Per-account results; every frame shares the same row order and ``account_id``."""

    scores: pd.DataFrame
    components: pd.DataFrame
    measures: pd.DataFrame
    measure_scores: pd.DataFrame
    drivers: pd.DataFrame  # long: account_id, rank, text, component, measure, direction, value

    def top_driver_texts(self, limit: int, separator: str = "; ") -> pd.Series:
        """The first ``limit`` drivers joined into one string per account (for CSV output)."""
        top = self.drivers[self.drivers["rank"] <= limit]
        if top.empty:
            return pd.Series("", index=self.scores["account_id"], dtype="object")
        # One column per rank, concatenated column-wise: a few vector operations instead
        # of a Python join per account.
        wide = top.pivot(index="account_id", columns="rank", values="text")
        joined = wide.iloc[:, 0].fillna("")
        for rank in wide.columns[1:]:
            text = wide[rank]
            joined = joined.where(text.isna(), joined + separator + text.fillna(""))
        return joined.reindex(self.scores["account_id"]).fillna("")


def score_accounts(
    aggregates: pd.DataFrame,
    config: HealthConfig,
    *,
    previous_bands: pd.Series | None = None,
    churn_model: ChurnModel | None = None,
) -> PortfolioScores:
    """Score every row of ``aggregates``.

    Args:
        aggregates: one row per account from ``bot.db.scoring_features``.
        config: the health config version to apply.
        previous_bands: the last stored band per ``account_id`` (for hysteresis).
        churn_model: a trained model, or None to leave ``churn_risk`` empty.
    """
    aggregates = aggregates.reset_index(drop=True)
    measures = derive_measures(aggregates)
    measure_scores = score_measures(measures, config)
    components = component_scores(measure_scores, config)
    overall = overall_health(components, config)

    previous = pd.Series(index=measures.index, dtype="object")
    if previous_bands is not None and not previous_bands.empty:
        previous = measures["account_id"].map(previous_bands)
    band = apply_hysteresis(overall["health"], overall["computed_band"], previous, config)

    if churn_model is not None:
        churn_risk = churn_model.predict_risk(measures, config, health=overall["health"])
    else:
        churn_risk = pd.Series(np.nan, index=measures.index, dtype="float64")
    expansion = expansion_propensity(measures, measure_scores, overall["health"], config)
    stage = lifecycle_stage(
        band=band,
        churn_risk=churn_risk,
        tenure_days=measures["tenure_days"],
        days_to_renewal=measures["days_to_renewal"],
        expansion=expansion,
        config=config,
    )
    scores = pd.DataFrame(
        {
            "account_id": measures["account_id"],
            "as_of": measures["as_of"],
            "health": overall["health"],
            "computed_band": overall["computed_band"],
            "band": band,
            "missing_components": overall["missing_components"],
            "churn_risk": churn_risk,
            "expansion": expansion,
            "stage": stage,
            "no_data": overall["no_data"],
        }
    )

    explain_risk = (overall["health"] < config.bands.green_from) | (stage == "at-risk")
    drivers = build_drivers(measures, measure_scores, components, explain_risk, config)
    no_data_rows = measures.index[overall["no_data"].to_numpy()]
    if len(no_data_rows):
        drivers = pd.concat([drivers, no_data_drivers(no_data_rows, config)], ignore_index=True)
    drivers.insert(
        0, "account_id", measures["account_id"].to_numpy()[drivers["row"].to_numpy(dtype=int)]
    )
    drivers = drivers.sort_values(["row", "rank"], kind="stable").drop(columns="row")

    components = components[list(COMPONENTS)].copy()
    components.insert(0, "account_id", measures["account_id"])
    return PortfolioScores(
        scores=scores,
        components=components,
        measures=measures,
        measure_scores=measure_scores,
        drivers=drivers.reset_index(drop=True),
    )
