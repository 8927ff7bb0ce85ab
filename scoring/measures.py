"""From per-account aggregates (computed by the database) to the named health measures.

The database layer returns one row per account (or per training sample) with plain
sums, counts and latest dates over fixed windows before ``as_of``; this module turns
them into the ratios, trends and ages the health model scores. Keeping the arithmetic
here (pure pandas, vectorised) means the same definitions serve the daily score, the
churn model's training rows and the tests, and SQL stays a grouped scan.

A measure is NaN when the account has no data of that kind *ever* (a component with no
data is left out of the score). An account whose usage stopped has usage data whose
recent values are zero, which scores low: silence is not the same as "no data".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Columns the database must provide (see ``bot.db.scoring_features``). Counts and sums
#: are over the named window ending the day before ``as_of``; ``*_ever`` over all time
#: before ``as_of``; ``*_at`` are the latest dates before ``as_of``.
AGGREGATE_COLUMNS: tuple[str, ...] = (
    "account_id",
    "as_of",
    "segment",
    "account_arr",
    "licensed_seats",
    "customer_since",
    "has_usage",
    "active_users_sum_30d",
    "active_users_sum_prev_30d",
    "logins_sum_30d",
    "features_used_sum_30d",
    "tickets_ever",
    "tickets_30d",
    "tickets_90d",
    "tickets_prev_60d",
    "csat_sum_90d",
    "csat_count_90d",
    "escalations_90d",
    "open_urgent_tickets",
    "ticket_sentiment_90d",
    "invoices_ever",
    "invoices_due_365d",
    "invoices_on_time_365d",
    "failed_invoices_180d",
    "first_failed_invoice_at",
    "contracts_ever",
    "contract_arr",
    "previous_contract_arr",
    "contract_end_date",
    "nps_latest",
    "nps_latest_at",
    "interactions_ever",
    "last_interaction_at",
    "last_champion_touch_at",
    "last_executive_touch_at",
)

#: Knowledge-derived aggregates that exist only once the knowledge jobs scored tickets;
#: a frame without them (older callers, training fixtures) gets them as unknown.
OPTIONAL_AGGREGATE_COLUMNS: tuple[str, ...] = ("churn_intent_tickets_90d", "currency")

#: The account's currency (ISO 4217) when a row does not say: the contract's default.
DEFAULT_CURRENCY = "USD"

DATE_COLUMNS: tuple[str, ...] = (
    "as_of",
    "customer_since",
    "first_failed_invoice_at",
    "contract_end_date",
    "nps_latest_at",
    "last_interaction_at",
    "last_champion_touch_at",
    "last_executive_touch_at",
)

#: Days-since value used for "never on record": far beyond any ``bad`` threshold.
NEVER_DAYS = 9999.0
WINDOW_DAYS = 30.0
WEEKS_PER_WINDOW = WINDOW_DAYS / 7.0


def empty_aggregates() -> pd.DataFrame:
    """A zero-row aggregates frame with every expected column (for empty portfolios)."""
    frame = pd.DataFrame({column: pd.Series(dtype="float64") for column in AGGREGATE_COLUMNS})
    frame["account_id"] = frame["account_id"].astype("object")
    frame["segment"] = frame["segment"].astype("object")
    for column in DATE_COLUMNS:
        frame[column] = pd.Series(dtype="datetime64[ns]")
    return frame


def normalise_aggregates(raw: pd.DataFrame) -> pd.DataFrame:
    """Coerce the database's types (strings on SQLite, Decimals, None) to numbers and dates.

    Raises:
        ValueError: when a required column is missing, naming it.
    """
    missing = [column for column in AGGREGATE_COLUMNS if column not in raw.columns]
    if missing:
        raise ValueError(f"aggregates are missing columns: {', '.join(missing)}")
    frame = raw.copy()
    if "churn_intent_tickets_90d" not in frame.columns:
        frame["churn_intent_tickets_90d"] = float("nan")
    frame["churn_intent_tickets_90d"] = pd.to_numeric(
        frame["churn_intent_tickets_90d"], errors="coerce"
    ).astype("float64")
    frame["currency"] = _currency_codes(frame.get("currency"), frame.index)
    for column in DATE_COLUMNS:
        frame[column] = _to_naive_day(frame[column])
    numeric = [c for c in AGGREGATE_COLUMNS if c not in DATE_COLUMNS + ("account_id", "segment")]
    for column in numeric:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    count_columns = [c for c in numeric if c.endswith(("_ever", "_30d", "_90d", "_60d", "_365d"))]
    count_columns += ["has_usage", "open_urgent_tickets", "failed_invoices_180d"]
    for column in count_columns:
        if column not in ("ticket_sentiment_90d",):
            frame[column] = frame[column].fillna(0.0)
    frame["segment"] = frame["segment"].astype("object").where(frame["segment"].notna(), None)
    return frame


def _currency_codes(values: pd.Series | None, index: pd.Index) -> pd.Series:
    """Upper-case ISO codes; a missing column or empty cell is the contract's USD."""
    if values is None:
        return pd.Series(DEFAULT_CURRENCY, index=index, dtype=object)
    codes = values.astype("object").where(values.notna(), "").astype(str).str.strip().str.upper()
    return codes.where(codes != "", DEFAULT_CURRENCY).astype(object)


def _to_naive_day(values: pd.Series) -> pd.Series:
    converted = pd.to_datetime(values, errors="coerce", utc=True, format="ISO8601")
    return converted.dt.tz_localize(None).dt.normalize().astype("datetime64[ns]")


def derive_measures(aggregates: pd.DataFrame) -> pd.DataFrame:
    """Compute every named measure, plus the context columns the driver texts quote.

    Args:
        aggregates: one row per account (or training sample) with ``AGGREGATE_COLUMNS``.

    Returns:
        A frame indexed like ``aggregates`` with one column per measure (NaN = no data of
        that kind) and helper columns such as ``active_users_avg_30d``.
    """
    agg = normalise_aggregates(aggregates)
    out = pd.DataFrame(index=agg.index)
    out["account_id"] = agg["account_id"]
    out["as_of"] = agg["as_of"]

    _usage_measures(agg, out)
    _relationship_measures(agg, out)
    _support_measures(agg, out)
    _financial_measures(agg, out)
    out["nps_latest"] = agg["nps_latest"]
    out["nps_latest_at"] = agg["nps_latest_at"]

    out["segment"] = agg["segment"]
    out["currency"] = agg["currency"]  # what the driver texts' amounts are in
    out["account_arr"] = agg["account_arr"].fillna(agg["contract_arr"])
    out["tenure_days"] = (agg["as_of"] - agg["customer_since"]).dt.days.astype("float64")
    out["customer_since"] = agg["customer_since"]
    out["contract_end_date"] = agg["contract_end_date"]
    out["days_to_renewal"] = (agg["contract_end_date"] - agg["as_of"]).dt.days.astype("float64")
    return out


def _usage_measures(agg: pd.DataFrame, out: pd.DataFrame) -> None:
    has_usage = agg["has_usage"] > 0
    seats = agg["licensed_seats"].where(agg["licensed_seats"] > 0)
    current = agg["active_users_sum_30d"] / WINDOW_DAYS
    prior = agg["active_users_sum_prev_30d"] / WINDOW_DAYS
    out["active_users_avg_30d"] = current.where(has_usage)
    out["active_users_avg_prev_30d"] = prior.where(has_usage)
    out["licensed_seats"] = seats
    out["seat_utilisation"] = (current / seats).where(has_usage)
    out["logins_per_seat_week"] = (agg["logins_sum_30d"] / seats / WEEKS_PER_WINDOW).where(
        has_usage
    )
    out["feature_adoption"] = (agg["features_used_sum_30d"] / WINDOW_DAYS).where(has_usage)
    # From nothing to something is the best possible trend (+100%); nothing to nothing has
    # no trend at all, and the utilisation measures already say usage is zero.
    trend = np.where(
        prior > 0, (current - prior) / prior.where(prior > 0), np.where(current > 0, 1.0, np.nan)
    )
    out["active_users_trend"] = pd.Series(trend, index=agg.index).where(has_usage)


def _relationship_measures(agg: pd.DataFrame, out: pd.DataFrame) -> None:
    has_interactions = agg["interactions_ever"] > 0

    def days_since(column: str) -> pd.Series:
        days = (agg["as_of"] - agg[column]).dt.days.astype("float64")
        return days.fillna(NEVER_DAYS).where(has_interactions)

    out["days_since_interaction"] = days_since("last_interaction_at")
    out["days_since_champion_touch"] = days_since("last_champion_touch_at")
    out["days_since_executive_touch"] = days_since("last_executive_touch_at")
    out["last_interaction_at"] = agg["last_interaction_at"]


def _support_measures(agg: pd.DataFrame, out: pd.DataFrame) -> None:
    has_tickets = agg["tickets_ever"] > 0
    monthly_before = agg["tickets_prev_60d"] / 2.0
    out["tickets_30d"] = agg["tickets_30d"].where(has_tickets)
    out["tickets_prev_monthly"] = monthly_before.where(has_tickets)
    out["tickets_90d"] = agg["tickets_90d"].where(has_tickets)
    out["ticket_trend"] = (
        (agg["tickets_30d"] - monthly_before) / monthly_before.clip(lower=1.0)
    ).where(has_tickets)
    out["csat_count_90d"] = agg["csat_count_90d"]
    rated = agg["csat_count_90d"].where(has_tickets & (agg["csat_count_90d"] > 0))
    out["csat_avg"] = agg["csat_sum_90d"] / rated
    out["escalations_90d"] = agg["escalations_90d"].where(has_tickets)
    out["open_urgent_tickets"] = agg["open_urgent_tickets"].where(has_tickets)
    out["ticket_sentiment"] = agg["ticket_sentiment_90d"].where(has_tickets)
    # Unknown (not 0) until the knowledge jobs assessed the account's tickets.
    out["churn_intent_tickets"] = agg["churn_intent_tickets_90d"].where(has_tickets)


def _financial_measures(agg: pd.DataFrame, out: pd.DataFrame) -> None:
    has_financial = (agg["invoices_ever"] > 0) | (agg["contracts_ever"] > 0)
    due = agg["invoices_due_365d"]
    out["invoices_due_365d"] = due
    out["invoices_on_time_365d"] = agg["invoices_on_time_365d"]
    out["invoice_on_time_share"] = agg["invoices_on_time_365d"] / due.where(due > 0)
    # Defined whenever there is any financial record, so that a first failed invoice
    # moves this measure from 0 failures to 1 rather than adding a new, higher measure.
    out["failed_invoices_180d"] = agg["failed_invoices_180d"].where(has_financial)
    out["first_failed_invoice_at"] = agg["first_failed_invoice_at"]
    previous = agg["previous_contract_arr"].where(agg["previous_contract_arr"] > 0)
    out["contract_arr"] = agg["contract_arr"]
    out["previous_contract_arr"] = previous
    out["contract_growth"] = (agg["contract_arr"] - previous) / previous
