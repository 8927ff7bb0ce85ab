"""The rule-based health score: measures -> measure scores -> components -> health and band.

Every step is a column operation over the whole portfolio. A component is the weighted
mean of the measures that have data; the health is the weighted mean of the components
that have data, so missing data renormalises weights instead of counting as zero (and
the result lists which components were left out). Weak components weigh more than their
configured share when the config says so (``weak_component_boost``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.config import BANDS, COMPONENTS, HealthConfig


def score_measures(measures: pd.DataFrame, config: HealthConfig) -> pd.DataFrame:
    """Map each measure to 0-100: 0 at its ``bad`` threshold, 100 at ``good``, clipped.

    A measure with segment bounds in the config is judged on the bounds of the row's
    ``segment`` (a tech-touch account is not "neglected" after a month without a call).
    """
    scores = pd.DataFrame(index=measures.index)
    segment = measures.get("segment")
    for measure, (_component, rule) in config.measure_rules().items():
        values = measures[measure].astype("float64").to_numpy()
        bad = np.full(len(values), rule.bad)
        good = np.full(len(values), rule.good)
        if segment is not None:
            for name, bounds in config.bounds_by_segment(measure).items():
                rows = (segment == name).to_numpy()
                bad[rows], good[rows] = bounds.bad, bounds.good
        fraction = np.clip((values - bad) / (good - bad), 0.0, 1.0)
        scores[measure] = fraction * 100.0
    return scores


def component_scores(measure_scores: pd.DataFrame, config: HealthConfig) -> pd.DataFrame:
    """Weighted mean of the available measure scores per component (NaN = no data)."""
    components = pd.DataFrame(index=measure_scores.index)
    for component in COMPONENTS:
        rules = config.components[component].measures
        values = measure_scores[list(rules)]
        weights = np.array([rule.weight for rule in rules.values()])
        available = values.notna().to_numpy()
        weight_sum = (available * weights).sum(axis=1)
        weighted = (values.fillna(0.0).to_numpy() * weights).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            components[component] = np.where(weight_sum > 0, weighted / weight_sum, np.nan)
    return components


def overall_health(components: pd.DataFrame, config: HealthConfig) -> pd.DataFrame:
    """Health 0-100 with renormalised weights, the raw band and the components left out.

    Returns:
        Columns ``health`` (rounded to 0.1), ``computed_band``, ``missing_components``
        (a list per row) and ``no_data`` (True when every component was missing and
        the configured ``no_data_score`` stands in).
    """
    values = components[list(COMPONENTS)].to_numpy(dtype="float64")
    available = ~np.isnan(values)
    weights = effective_component_weights(values, config)
    weight_sum = weights.sum(axis=1)
    weighted = (np.nan_to_num(values) * weights).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        health = np.where(weight_sum > 0, weighted / weight_sum, config.no_data_score)
    result = pd.DataFrame(index=components.index)
    result["health"] = np.round(health, 1)
    result["computed_band"] = band_of(result["health"], config)
    names = np.array(COMPONENTS, dtype=object)
    missing_mask = ~available
    result["missing_components"] = [list(names[row]) for row in missing_mask]
    result["no_data"] = weight_sum == 0
    return result


def effective_component_weights(values: np.ndarray, config: HealthConfig) -> np.ndarray:
    """Each row's component weights: configured, raised for weak components, 0 when missing.

    With ``weak_component_boost`` b a component scoring s weighs w x (1 + b x (100 - s)/100):
    a collapse in usage is not averaged away by a recent call and paid invoices, which is
    the commonest complaint about health scores. For b <= 1 the health still rises (never
    falls) with every component, so the monotone properties of the measures carry over.
    """
    weights = np.array([config.component_weights[name] for name in COMPONENTS], dtype="float64")
    available = ~np.isnan(values)
    weakness = (100.0 - np.clip(np.nan_to_num(values, nan=100.0), 0.0, 100.0)) / 100.0
    return weights[None, :] * (1.0 + config.weak_component_boost * weakness) * available


def effective_component_shares(components: pd.DataFrame, config: HealthConfig) -> pd.DataFrame:
    """Each component's share of each row's health: effective weights over their sum.

    ``health = sum(component score x share)`` over the components with data (before the
    0.1 rounding), so the card can show each component's points and they add up to the
    score; a row with no data at all has no shares (NaN).
    """
    values = components[list(COMPONENTS)].to_numpy(dtype="float64")
    weights = pd.DataFrame(
        effective_component_weights(values, config), index=components.index, columns=COMPONENTS
    )
    total = weights.sum(axis=1).replace(0.0, np.nan)
    return weights.div(total, axis=0)


def band_of(health: pd.Series, config: HealthConfig) -> pd.Series:
    """red below ``yellow_from``, green from ``green_from``, yellow between."""
    values = health.to_numpy(dtype="float64")
    bands = np.select(
        [values >= config.bands.green_from, values >= config.bands.yellow_from],
        ["green", "yellow"],
        default="red",
    )
    return pd.Series(bands, index=health.index, dtype="object")


def apply_hysteresis(
    health: pd.Series, computed_band: pd.Series, previous_band: pd.Series, config: HealthConfig
) -> pd.Series:
    """Keep the previous band unless the score left it by more than the margin.

    An account that was yellow (40-69) turns green only at 70 + margin and red only
    below 40 - margin; without a previous band the computed band stands.
    """
    margin = config.hysteresis_margin
    lower_by_band = {
        "red": -np.inf,
        "yellow": config.bands.yellow_from,
        "green": config.bands.green_from,
    }
    upper_by_band = {
        "red": config.bands.yellow_from,
        "yellow": config.bands.green_from,
        "green": np.inf,
    }
    previous = previous_band.reindex(health.index)
    known = previous.isin(BANDS)
    lower = previous.map(lower_by_band).astype("float64")
    upper = previous.map(upper_by_band).astype("float64")
    stays = known & (health >= lower - margin) & (health < upper + margin)
    return previous.where(stays, computed_band).astype("object")
