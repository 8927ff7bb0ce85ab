"""The stored snapshot of each score, with its JSON columns written as text, vectorised.

The snapshot shape is the contract every reader relies on:
``components = {"usage": {"score": 71.2 | null, "weight": 0.3, "effective_weight": 0.36 | null,
"points": 25.63 | null, "measures": {...}}, ...}``,
``drivers = [{"text", "component", "measure", "direction", "value"}, ...]`` (most
important first) and ``missing_components = ["survey", ...]``. At 20,000 accounts,
building a Python dict per account and ``json.dumps`` on each cost more than the whole
score, so the JSON text is assembled column-wise with string operations instead. The
output parses to exactly the structures above (``tests/scoring/test_snapshots.py``).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from scoring.config import COMPONENTS, HealthConfig
from scoring.health import effective_component_shares
from scoring.portfolio import PortfolioScores

SNAPSHOT_COLUMNS: tuple[str, ...] = (
    "account_id",
    "as_of",
    "score",
    "band",
    "computed_band",
    "components",
    "drivers",
    "missing_components",
    "churn_risk",
    "expansion",
    "stage",
    "config_version",
)


def snapshot_frame(portfolio: PortfolioScores, config: HealthConfig) -> pd.DataFrame:
    """One row per account in the stored snapshot shape; JSON columns hold JSON text."""
    scores = portfolio.scores
    frame = pd.DataFrame(
        {
            "account_id": scores["account_id"].to_numpy(dtype=object),
            "as_of": [stamp.date() for stamp in pd.to_datetime(scores["as_of"]).tolist()],
            "score": scores["health"].astype("float64").to_numpy(),
            "band": scores["band"].to_numpy(dtype=object),
            "computed_band": scores["computed_band"].to_numpy(dtype=object),
            "components": components_json(portfolio, config).to_numpy(dtype=object),
            "drivers": drivers_json(portfolio).to_numpy(dtype=object),
            "missing_components": missing_json(portfolio.components).to_numpy(dtype=object),
            "churn_risk": _nullable(scores["churn_risk"]),
            "expansion": scores["expansion"].astype("float64").to_numpy(),
            "stage": scores["stage"].to_numpy(dtype=object),
            "config_version": config.version,
        }
    )
    return frame[list(SNAPSHOT_COLUMNS)]


def components_json(portfolio: PortfolioScores, config: HealthConfig) -> pd.Series:
    """The components object per row: one %-template filled from pre-formatted columns.

    ``weight`` is the configured share; ``effective_weight`` the share this row's score
    really gave the component (weak components weigh more, missing ones nothing) and
    ``points`` its contribution, so the points of a row add up to its score.
    """
    weights = config.component_weights
    total = sum(weights.values())
    shares = effective_component_shares(portfolio.components, config)
    pieces: list[str] = []
    columns: list[list[str]] = []
    for component in COMPONENTS:
        names = list(config.components[component].measures)
        share = json.dumps(round(weights[component] / total, 4))
        measures = ", ".join(f'"{name}": %s' for name in names)
        pieces.append(
            f'"{component}": {{"score": %s, "weight": {share}, "effective_weight": %s, '
            f'"points": %s, "measures": {{{measures}}}}}'
        )
        columns.append(json_numbers(portfolio.components[component], 1))
        columns.append(json_numbers(shares[component], 4))
        columns.append(json_numbers(portfolio.components[component] * shares[component], 2))
        columns.extend(json_numbers(portfolio.measures[name], 4) for name in names)
    template = "{" + ", ".join(pieces) + "}"
    texts = [template % values for values in zip(*columns, strict=True)]
    return pd.Series(texts, index=portfolio.scores.index, dtype=object)


def drivers_json(portfolio: PortfolioScores) -> pd.Series:
    """Each account's drivers as a JSON list, in rank order ("[]" when none)."""
    accounts = portfolio.scores["account_id"]
    drivers = portfolio.drivers
    if drivers.empty:
        return pd.Series("[]", index=accounts.index, dtype=object)
    template = '{"text": %s, "component": %s, "measure": "%s", "direction": "%s", "value": %s}'
    components = [
        "null" if component is None or component != component else f'"{component}"'
        for component in drivers["component"].tolist()
    ]
    texts = drivers["text"].astype(str)
    # Driver sentences are written by csbot from numbers and fixed phrases; quote them
    # directly unless one holds a character JSON must escape.
    plain = ~texts.str.contains(r'["\\\x00-\x1f]', regex=True)
    quoted = '"' + texts + '"'
    if not plain.all():
        quoted[~plain] = texts[~plain].map(json.dumps)
    items = [
        template % values
        for values in zip(
            quoted.tolist(),
            components,
            drivers["measure"].tolist(),
            drivers["direction"].tolist(),
            json_numbers(drivers["value"], 4),
            strict=True,
        )
    ]
    # Drivers arrive grouped by account in rank order (see score_accounts), so one pass
    # over them collects each account's list.
    by_account: dict[str, list[str]] = {}
    for account_id, item in zip(drivers["account_id"].tolist(), items, strict=True):
        by_account.setdefault(account_id, []).append(item)
    listed = ["[" + ", ".join(by_account.get(account_id, ())) + "]" for account_id in accounts]
    return pd.Series(listed, index=accounts.index, dtype=object)


def missing_json(components: pd.DataFrame) -> pd.Series:
    """The components left out per row, as a JSON list of names in the standard order."""
    joined = pd.Series("", index=components.index, dtype=object)
    for component in COMPONENTS:
        missing = components[component].isna()
        with_comma = joined.where(joined == "", joined + ", ") + f'"{component}"'
        joined = with_comma.where(missing, joined)
    return "[" + joined + "]"


def json_numbers(values: pd.Series, digits: int) -> list[str]:
    """Numbers as JSON text (Python's float repr is valid JSON), NaN and infinities as null."""
    numbers = pd.to_numeric(values, errors="coerce").astype("float64").round(digits).tolist()
    return [repr(number) if math.isfinite(number) else "null" for number in numbers]


def _nullable(values: pd.Series) -> np.ndarray:
    numbers = values.astype("float64")
    return np.where(numbers.notna(), numbers, None).astype(object)
