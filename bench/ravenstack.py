"""RavenStack (shared/datasets/ravenstack-saas) as a data-contract folder, for benchmarks.

RavenStack is synthetic (River @ Rivalytics, MIT-like, credit the author) and its tables
do not agree with one another: an account holds ~10 overlapping subscriptions, churn
events are not tied to subscription end dates, and ``accounts.churn_flag`` is unrelated
to the churn events. The contract needs non-overlapping contracts that end in renewed
or churned, so this module makes one simple, stated choice (a later mapping-file
importer may do better):

- **contracts**: annual terms per account, anchored at its first subscription start.
  A term that ends by the data's last day is ``churned`` at its renewal when a churn
  event falls inside it, else ``renewed``; the term running on the last day is
  ``active`` (its churn events are ignored). After a churn the account comes back
  (reactivation) with a new term at its next subscription start, else it stays
  churned. Churned terms keep their full length: the renewal day is known in advance,
  so cutting a term at its churn day would leak the outcome into the features. ARR = the sum of ``arr_amount`` of the
  subscriptions running on the term's first day (or of the one starting it).
- **accounts**: name, industry, segment from ``plan_tier`` (Enterprise / Pro / Basic →
  enterprise / mid-market / smb), seats, ``customer_since`` = signup date; ``status``
  churned (with ``churned_at`` and the churn reason) when its last term churned.
- **usage_daily** from feature_usage (linked through subscriptions): per account and day,
  ``events`` = sum of usage_count, ``features_used`` = distinct features,
  ``session_minutes`` = duration / 60, and ``logins`` = ``active_users`` = number of
  usage records (RavenStack has no user ids; a stated proxy).
- **tickets** from support_tickets: priority medium → normal, closed when closed_at is
  set, csat = satisfaction_score, escalated = escalation_flag.
- **csms**: one placeholder CSM owning every account (the contract requires the file).

Only the standard library and pandas are used; nothing is written outside ``out``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

DATASET = Path("/work/shared/datasets/ravenstack-saas")
TERM_DAYS = 365
SEGMENTS = {"Enterprise": "enterprise", "Pro": "mid-market", "Basic": "smb"}
PRIORITIES = {"low": "low", "medium": "normal", "high": "high", "urgent": "urgent"}
CSM_ID = "csm-ravenstack"


@dataclass(frozen=True, slots=True)
class Converted:
    """What :func:`build_contract_folder` wrote: rows per file and the data's last day."""

    folder: Path
    rows: dict[str, int]
    last_day: date


def _read(dataset: Path, table: str, dates: list[str]) -> pd.DataFrame:
    return pd.read_csv(dataset / f"ravenstack_{table}.csv", parse_dates=dates)


def _flag(series: pd.Series) -> pd.Series:
    return series.astype(str).str.lower().eq("true")


def build_contracts(
    subscriptions: pd.DataFrame, churn_events: pd.DataFrame, last_day: date
) -> pd.DataFrame:
    """Non-overlapping annual terms per account with renewed / churned / active status."""
    end_of_data = pd.Timestamp(last_day)
    churns = churn_events.sort_values("churn_date").groupby("account_id")["churn_date"]
    churn_days = {account: list(days) for account, days in churns}
    rows: list[dict[str, object]] = []
    for account, subs in subscriptions.sort_values("start_date").groupby("account_id"):
        starts = list(subs["start_date"])
        churned_on = churn_days.get(account, [])
        start: pd.Timestamp | None = starts[0]
        term = 0
        while start is not None and start <= end_of_data:
            # The renewal day is fixed when the term starts; a churn event during the term
            # is the outcome at that renewal (ending the term on the churn day instead
            # would leak the outcome into the known renewal date).
            end = start + timedelta(days=TERM_DAYS)
            if end > end_of_data:
                status = "active"
            elif any(start < day <= end for day in churned_on):
                status = "churned"
            else:
                status = "renewed"
            running = subs[
                (subs["start_date"] <= start)
                & (subs["end_date"].isna() | (subs["end_date"] > start))
            ]
            arr = float(running["arr_amount"].sum()) or float(
                subs.loc[subs["start_date"] >= start, "arr_amount"].head(1).sum()
            )
            term += 1
            rows.append(
                {
                    "contract_id": f"{account}-T{term}",
                    "account_id": account,
                    "start_date": start.date().isoformat(),
                    "end_date": end.date().isoformat(),
                    "arr": round(arr, 2),
                    "status": status,
                    "auto_renew": bool(_flag(running["auto_renew_flag"]).any()),
                }
            )
            if status == "churned":  # back (reactivated) at its next subscription, if any
                start = next((day for day in starts if day > end), None)
            elif status == "renewed":
                start = end
            else:
                start = None
    return pd.DataFrame(rows)


def build_contract_folder(
    out: Path, *, dataset: Path = DATASET, accounts_limit: int | None = None
) -> Converted:
    """Write csms, accounts, contracts, usage_daily and tickets CSVs into ``out``.

    Args:
        out: the folder to (re)write; created if missing.
        dataset: the RavenStack CSV folder.
        accounts_limit: keep only the first N accounts (by file order), for fast tests.
    """
    accounts = _read(dataset, "accounts", ["signup_date"])
    if accounts_limit is not None:
        accounts = accounts.head(accounts_limit)
    keep = set(accounts["account_id"])
    subscriptions = _read(dataset, "subscriptions", ["start_date", "end_date"])
    subscriptions = subscriptions[subscriptions["account_id"].isin(keep)]
    churn_events = _read(dataset, "churn_events", ["churn_date"])
    churn_events = churn_events[churn_events["account_id"].isin(keep)]
    usage = _read(dataset, "feature_usage", ["usage_date"])
    tickets = _read(dataset, "support_tickets", ["submitted_at", "closed_at"])
    tickets = tickets[tickets["account_id"].isin(keep)]
    last_day = max(
        subscriptions["start_date"].max(),
        usage["usage_date"].max(),
        tickets["submitted_at"].max(),
        churn_events["churn_date"].max(),
    ).date()

    contracts = build_contracts(subscriptions, churn_events, last_day)
    final = contracts.groupby("account_id").tail(1).set_index("account_id")
    churned = final[final["status"] == "churned"]
    reasons = churn_events.sort_values("churn_date").groupby("account_id")["reason_code"].last()
    current_arr = final["arr"]
    table = pd.DataFrame(
        {
            "account_id": accounts["account_id"],
            "name": accounts["account_name"],
            "industry": accounts["industry"],
            "segment": accounts["plan_tier"].map(SEGMENTS),
            "arr": accounts["account_id"].map(current_arr),
            "licensed_seats": accounts["seats"],
            "csm_id": CSM_ID,
            "customer_since": accounts["signup_date"].dt.date.map(date.isoformat),
            "status": accounts["account_id"].map(
                lambda a: "churned" if a in churned.index else "active"
            ),
            "churned_at": accounts["account_id"].map(churned["end_date"]),
            "churn_reason": accounts["account_id"].map(
                lambda a: reasons.get(a) if a in churned.index else None
            ),
        }
    )

    owner = subscriptions.set_index("subscription_id")["account_id"]
    usage = usage.assign(account_id=usage["subscription_id"].map(owner)).dropna(
        subset=["account_id"]
    )
    daily = (
        usage.groupby(["account_id", usage["usage_date"].dt.date])
        .agg(
            active_users=("usage_id", "size"),
            logins=("usage_id", "size"),
            events=("usage_count", "sum"),
            features_used=("feature_name", "nunique"),
            session_minutes=("usage_duration_secs", lambda s: round(s.sum() / 60.0, 1)),
        )
        .reset_index()
        .rename(columns={"usage_date": "date"})
    )

    ticket_rows = pd.DataFrame(
        {
            "ticket_id": tickets["ticket_id"],
            "account_id": tickets["account_id"],
            "created_at": tickets["submitted_at"].dt.strftime("%Y-%m-%dT%H:%M:%S"),
            "resolved_at": tickets["closed_at"].dt.strftime("%Y-%m-%dT%H:%M:%S"),
            "status": tickets["closed_at"].notna().map({True: "closed", False: "open"}),
            "priority": tickets["priority"].map(PRIORITIES),
            "csat": tickets["satisfaction_score"].astype("Int64"),
            "escalated": _flag(tickets["escalation_flag"]),
        }
    )
    csms = pd.DataFrame([{"csm_id": CSM_ID, "name": "RavenStack CSM", "role": "csm"}])

    out.mkdir(parents=True, exist_ok=True)
    files = {
        "csms": csms,
        "accounts": table,
        "contracts": contracts,
        "usage_daily": daily,
        "tickets": ticket_rows,
    }
    for name, frame in files.items():
        frame.to_csv(out / f"{name}.csv", index=False)
    return Converted(out, {name: len(frame) for name, frame in files.items()}, last_day)
