"""Plain-language drivers behind each score, quoting the numbers they come from.

A driver is one measure's pull on the health score: its component's share of the
weight times its share inside the component times its distance from neutral (50).
Texts are built one measure at a time with column operations, so the cost grows with
the number of measures (about twenty), not with a Python loop over accounts.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from scoring.config import COMPONENTS, HealthConfig
from scoring.health import effective_component_shares
from scoring.measures import NEVER_DAYS
from scoring.money_text import whole_money

DRIVER_COLUMNS = ("row", "rank", "text", "component", "measure", "direction", "value", "impact")
NEUTRAL = 50.0
RISKS_PER_COMPONENT = 2  # a risky account's drivers: this many per component come first


def build_drivers(
    measures: pd.DataFrame,
    measure_scores: pd.DataFrame,
    components: pd.DataFrame,
    explain_risk: pd.Series,
    config: HealthConfig,
    *,
    top_n: int | None = None,
) -> pd.DataFrame:
    """The top drivers per row of ``measures``, most important first.

    For rows where ``explain_risk`` (a red or yellow band, or the at-risk stage) the
    drivers are the account's risks: the measures scoring below
    ``drivers.risk_measure_below``, the most points lost first (at most two per component
    before any third), every one "negative". Strengths never explain risk: a red account
    must not open with "last interaction 5 days ago" or "invoices paid on time" while its
    usage collapses. (A risky row with no measure that low, held yellow by hysteresis,
    falls back to the ordering below.)
    Other rows list what holds the score up first, then what pulls it down, the larger
    pull first. The ranking is one numpy sort over an accounts × measures matrix;
    sentences are then written only for the drivers chosen.

    Returns:
        A long frame with ``DRIVER_COLUMNS``; ``row`` is the position in ``measures``.
    """
    limit = top_n or config.drivers.top_n
    shares = _component_shares(components, config)
    names: list[str] = []
    owners: list[str] = []
    share_columns: list[np.ndarray] = []
    score_columns: list[np.ndarray] = []
    for component in COMPONENTS:
        rules = config.components[component].measures
        scores = measure_scores[list(rules)]
        weights = pd.Series({name: rule.weight for name, rule in rules.items()})
        available = scores.notna().mul(weights, axis=1).sum(axis=1).replace(0.0, np.nan)
        for measure, rule in rules.items():
            share = shares[component] * rule.weight / available
            share_columns.append(share.to_numpy(dtype="float64"))
            score_columns.append(scores[measure].to_numpy(dtype="float64"))
            names.append(measure)
            owners.append(component)
    if not share_columns or measures.empty:
        return pd.DataFrame(columns=list(DRIVER_COLUMNS))
    share = np.column_stack(share_columns)
    score = np.column_stack(score_columns)
    impact = share * (score - NEUTRAL)
    valid = np.isfinite(impact) & (np.abs(impact) > 1e-9)
    # Risk rows: points lost below full marks, for the measures that are real weaknesses,
    # at most two per component before any third (three relationship ages in a row crowd
    # out the usage collapse that a CSM needs to see).
    weak = np.isfinite(score) & (score < config.drivers.risk_measure_below) & (share > 0)
    risky = explain_risk.to_numpy(dtype=bool) & weak.any(axis=1)
    lost = np.where(weak, share * (100.0 - np.nan_to_num(score)), -1.0)
    first = weak & _first_per_component(lost, owners, RISKS_PER_COMPONENT)
    risk_key = lost + np.where(first, 1000.0, 0.0)
    # Other rows: |impact| is at most 50, so the offset puts what holds the score up first.
    standing = np.where(valid, np.abs(impact) + np.where(impact > 0, 1000.0, 0.0), -1.0)
    key = np.where(risky[:, None], risk_key, standing)
    impact = np.where(risky[:, None], -np.maximum(lost, 0.0), impact)
    limit = min(limit, impact.shape[1])
    order = np.argsort(-key, axis=1, kind="stable")[:, :limit]
    keep = (np.take_along_axis(key, order, axis=1) >= 0).ravel()
    rows = np.repeat(np.arange(len(measures)), limit)[keep]
    picked = order.ravel()[keep]
    ranks = np.tile(np.arange(1, limit + 1), len(measures))[keep]
    chosen_impact = impact[rows, picked]
    values = np.full(len(rows), np.nan)
    texts = np.empty(len(rows), dtype=object)
    for position, measure in enumerate(names):
        mask = picked == position
        if not mask.any():
            continue
        subset = measures.iloc[rows[mask]]
        texts[mask] = _TEXTS[measure](subset).to_numpy(dtype=object)
        values[mask] = subset[measure].to_numpy(dtype="float64")
    return pd.DataFrame(
        {
            "row": rows,
            "rank": ranks,
            "text": texts,
            "component": np.array(owners, dtype=object)[picked],
            "measure": np.array(names, dtype=object)[picked],
            "direction": np.where(chosen_impact < 0, "negative", "positive"),
            "value": values,
            "impact": chosen_impact,
        }
    )


def _first_per_component(key: np.ndarray, owners: list[str], keep: int) -> np.ndarray:
    """True where a measure is among the ``keep`` largest keys of its component, per row."""
    first = np.zeros_like(key, dtype=bool)
    owner = np.array(owners, dtype=object)
    for component in COMPONENTS:
        columns = np.flatnonzero(owner == component)
        if columns.size == 0:
            continue
        rank = np.argsort(np.argsort(-key[:, columns], axis=1, kind="stable"), axis=1)
        first[:, columns] = rank < keep
    return first


def no_data_drivers(rows: pd.Index, config: HealthConfig) -> pd.DataFrame:
    """The one driver an account with no data at all gets: say so, and say what stands in."""
    text = (
        "no usage, relationship, support, financial or survey data on record yet; "
        f"the score is the neutral {config.no_data_score:g}"
    )
    return pd.DataFrame(
        {
            "row": rows,
            "rank": 1,
            "text": text,
            "component": None,
            "measure": "no_data",
            "direction": "negative",
            "value": np.nan,
            "impact": 0.0,
        }
    )


def _component_shares(components: pd.DataFrame, config: HealthConfig) -> pd.DataFrame:
    """Each component's share of each row's health, as the health itself weighs them."""
    return effective_component_shares(components, config)


# ------------------------------------------------------------------------------ texts
def driver_texts(m: pd.DataFrame) -> dict[str, pd.Series]:
    """One sentence per measure and row of ``m``, with the numbers behind it."""
    return {measure: build(m) for measure, build in _TEXTS.items()}


def _trend_text(m: pd.DataFrame) -> pd.Series:
    trend = m["active_users_trend"]
    change = _choose(trend < 0, "down ", "up ", m) + _pct(trend.abs()) + " vs the prior 30 days"
    change = change.where(trend.abs() >= 0.005, "flat vs the prior 30 days")
    return "active users " + change.where(
        m["active_users_avg_prev_30d"].fillna(0) > 0, "up from none in the prior 30 days"
    )


def _seat_text(m: pd.DataFrame) -> pd.Series:
    return (
        _num(m["active_users_avg_30d"], 1)
        + " of "
        + _int(m["licensed_seats"])
        + " licensed seats active on average over the last 30 days ("
        + _pct(m["seat_utilisation"])
        + ")"
    )


def _ticket_trend_text(m: pd.DataFrame) -> pd.Series:
    return (
        _int(m["tickets_30d"])
        + " tickets in the last 30 days vs "
        + _num(m["tickets_prev_monthly"], 1)
        + " a month in the 60 days before"
    )


def _on_time_text(m: pd.DataFrame) -> pd.Series:
    return (
        _int(m["invoices_on_time_365d"])
        + " of "
        + _int(m["invoices_due_365d"])
        + " invoices due in the last 365 days paid on time ("
        + _pct(m["invoice_on_time_share"])
        + ")"
    )


def _failed_text(m: pd.DataFrame) -> pd.Series:
    failed = m["failed_invoices_180d"]
    return (
        _int(failed)
        + _choose(failed == 1, " failed or overdue invoice", " failed or overdue invoices", m)
        + " since "
        + _day(m["first_failed_invoice_at"], m["as_of"])
    ).where(failed > 0, "no failed or overdue invoices in the last 180 days")


def _growth_text(m: pd.DataFrame) -> pd.Series:
    growth = m["contract_growth"]
    return (
        "contract ARR "
        + _choose(growth < 0, "down ", "up ", m)
        + _pct(growth.abs())
        + " vs the previous contract ("
        + _money(m["previous_contract_arr"], m)
        + " → "
        + _money(m["contract_arr"], m)
        + ")"
    )


def _nps_text(m: pd.DataFrame) -> pd.Series:
    nps = m["nps_latest"]
    kind = _choose(nps >= 9, "promoter", "detractor", m).where((nps >= 9) | (nps < 7), "passive")
    return "latest NPS " + _int(nps) + " (" + kind + ") on " + _day(m["nps_latest_at"], m["as_of"])


_TEXTS: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "seat_utilisation": _seat_text,
    "logins_per_seat_week": lambda m: (
        _num(m["logins_per_seat_week"], 1)
        + " logins per licensed seat per week over the last 30 days"
    ),
    "feature_adoption": lambda m: (
        _num(m["feature_adoption"], 1) + " features used per day on average over the last 30 days"
    ),
    "active_users_trend": _trend_text,
    "days_since_interaction": lambda m: _since(
        m["days_since_interaction"], "last interaction with the account", "no interaction on record"
    ),
    "days_since_champion_touch": lambda m: _since(
        m["days_since_champion_touch"],
        "last interaction with a champion",
        "no interaction with a champion on record",
    ),
    "days_since_executive_touch": lambda m: _since(
        m["days_since_executive_touch"],
        "last executive contact (decision maker or QBR)",
        "no executive contact (decision maker or QBR) on record",
    ),
    "tickets_90d": lambda m: _count(m["tickets_90d"], "support ticket", m) + " in the last 90 days",
    "ticket_trend": _ticket_trend_text,
    "csat_avg": lambda m: (
        "average CSAT "
        + _num(m["csat_avg"], 1)
        + " of 5 over "
        + _count(m["csat_count_90d"], "rated ticket", m)
        + " in the last 90 days"
    ),
    "escalations_90d": lambda m: (
        _count(m["escalations_90d"], "escalated ticket", m) + " in the last 90 days"
    ),
    "open_urgent_tickets": lambda m: _count(m["open_urgent_tickets"], "urgent ticket", m) + " open",
    "ticket_sentiment": lambda m: (
        "average ticket sentiment "
        + _signed(m["ticket_sentiment"])
        + " (−1 to +1) over the last 90 days"
    ),
    "churn_intent_tickets": lambda m: (
        _int(m["churn_intent_tickets"])
        + " tickets with churn intent (cancel, not renewing, switching) in the last 90 days"
    ),
    "invoice_on_time_share": _on_time_text,
    "failed_invoices_180d": _failed_text,
    "contract_growth": _growth_text,
    "nps_latest": _nps_text,
}


def _choose(condition: pd.Series, when_true: str, when_false: str, m: pd.DataFrame) -> pd.Series:
    return pd.Series(np.where(condition, when_true, when_false), index=m.index, dtype=object)


def _count(values: pd.Series, noun: str, m: pd.DataFrame) -> pd.Series:
    """``1 rated ticket`` / ``3 rated tickets``: the noun agrees with the rounded count."""
    return _int(values) + _choose(values.round() == 1, f" {noun}", f" {noun}s", m)


def _int(values: pd.Series) -> pd.Series:
    return values.round().astype("Int64").astype(str)


def _num(values: pd.Series, digits: int) -> pd.Series:
    return values.round(digits).map(lambda value: f"{value:.{digits}f}")


def _signed(values: pd.Series) -> pd.Series:
    return values.round(2).map(lambda value: f"{value:+.2f}")


def _pct(values: pd.Series) -> pd.Series:
    return (values * 100).round().astype("Int64").astype(str) + "%"


def _money(values: pd.Series, m: pd.DataFrame) -> pd.Series:
    """Whole amounts in the account's own currency: ``$120,000``, ``€90,000``, ``CHF 5,000``.

    The store keeps money in the account's currency (DATA_CONTRACT), so a euro account's
    driver must not say dollars. Texts are stored with the score, so they are written in
    one fixed English style rather than the reader's locale.
    """
    currency = m["currency"] if "currency" in m.columns else pd.Series("USD", index=m.index)
    pairs = zip(values.round(), currency, strict=True)
    return pd.Series([whole_money(v, c) for v, c in pairs], index=values.index, dtype=object)


def _day(values: pd.Series, as_of: pd.Series) -> pd.Series:
    """ "May 3", with the year only when it differs from the scoring date's year."""
    dates = pd.to_datetime(values)
    base = dates.dt.strftime("%b ") + dates.dt.day.astype("Int64").astype(str)
    other_year = dates.dt.year != pd.to_datetime(as_of).dt.year
    return base.where(~other_year, base + ", " + dates.dt.year.astype("Int64").astype(str))


def _since(days: pd.Series, label: str, never: str) -> pd.Series:
    text = label + " " + _int(days) + " days ago"
    return text.where(days < NEVER_DAYS, never)
