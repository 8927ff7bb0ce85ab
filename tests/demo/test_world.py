"""Who is in the demo world, and the stories the well-known accounts tell."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from bot.sources.demo.names import FIXED_ACCOUNTS, CompanyNamer
from tests.demo.conftest import END_DATE


def frame(summary, table: str, **kwargs) -> pd.DataFrame:
    return pd.read_csv(
        summary.folder / f"{table}.csv", keep_default_na=False, na_values=[""], **kwargs
    )


@pytest.fixture(scope="module")
def year(year_demo):
    tables = {
        "accounts": frame(year_demo, "accounts", parse_dates=["customer_since", "churned_at"]),
        "usage": frame(year_demo, "usage_daily", parse_dates=["date"]),
        "tickets": frame(year_demo, "tickets"),
        "nps": frame(year_demo, "nps"),
        "invoices": frame(year_demo, "invoices", parse_dates=["issued_at"]),
        "contracts": frame(year_demo, "contracts", parse_dates=["start_date", "end_date"]),
        "contacts": frame(year_demo, "contacts"),
        "opportunities": frame(year_demo, "opportunities"),
        "csms": frame(year_demo, "csms"),
    }
    return tables


def account(year, name: str) -> pd.Series:
    rows = year["accounts"][year["accounts"].name == name]
    assert len(rows) == 1, name
    return rows.iloc[0]


def users(year, account_id: str, first_day_back: int, last_day_back: int) -> float:
    """Mean active users from ``first_day_back`` to ``last_day_back`` days before the end."""
    end = pd.Timestamp(END_DATE)
    usage = year["usage"][year["usage"].account_id == account_id]
    window = usage[
        (usage.date > end - pd.Timedelta(days=first_day_back))
        & (usage.date <= end - pd.Timedelta(days=last_day_back))
    ]
    return float(window.active_users.mean())


def test_the_cs_team_has_csms_managers_and_an_admin_with_slack_ids(year):
    csms = year["csms"]
    assert csms.role.value_counts().to_dict() == {"csm": 8, "manager": 2, "admin": 1}
    assert csms.slack_user_id.is_unique
    assert all(re.fullmatch(r"U0CSM\d{4}", uid) for uid in csms.slack_user_id)
    managers = set(csms[csms.role == "manager"].csm_id)
    assert set(csms[csms.role == "csm"].manager_id) == managers
    assert year["accounts"].csm_id.isin(csms[csms.role == "csm"].csm_id).all()


def test_the_population_mixes_churn_health_and_missing_sources(year):
    accounts = year["accounts"]
    churned_share = (accounts.status == "churned").mean()
    assert 0.15 <= churned_share <= 0.3
    ids = set(accounts.account_id)
    assert ids - set(year["usage"].account_id), "some accounts have no usage"
    assert ids - set(year["tickets"].account_id), "some accounts have no tickets"
    assert ids - set(year["nps"].account_id), "some accounts have no NPS"
    assert set(accounts.segment) == {"enterprise", "mid-market", "smb"}
    assert accounts.parent_account_id.notna().sum() >= 2
    assert accounts.name.is_unique and (accounts.currency == "USD").all()
    contacts = year["contacts"]
    assert ((contacts.is_champion) & (~contacts.is_active)).sum() > 0, "inactive champions"
    invoices = year["invoices"]
    assert invoices.status.isin(["failed", "overdue"]).sum() > 0
    by_segment = accounts.groupby("segment").arr.median()
    assert by_segment["enterprise"] > by_segment["mid-market"] > by_segment["smb"]


def test_active_renewals_are_spread_over_the_coming_year(year):
    contracts = year["contracts"]
    active = contracts[contracts.status == "active"]
    months_ahead = ((active.end_date - pd.Timestamp(END_DATE)).dt.days // 31).value_counts()
    assert len(months_ahead) >= 11, "renewals in (nearly) every coming month"
    assert months_ahead.max() < 0.2 * len(active)


def test_fixed_accounts_are_active_and_findable(year):
    names = set(year["accounts"].name)
    assert {spec.name for spec in FIXED_ACCOUNTS} <= names
    assert {"Northwind Traders", "Northwind Health"} <= names
    fixed = year["accounts"][year["accounts"].name.isin([s.name for s in FIXED_ACCOUNTS])]
    assert (fixed.status == "active").all()
    europe = account(year, "Stark Industries Europe")
    assert europe.parent_account_id == account(year, "Stark Industries").account_id


def test_globex_is_dropping_with_a_failed_invoice(year):
    globex = account(year, "Globex Corporation")
    assert users(year, globex.account_id, 30, 0) < 0.7 * users(year, globex.account_id, 90, 60)
    invoices = year["invoices"][year["invoices"].account_id == globex.account_id]
    recent = invoices[invoices.issued_at > pd.Timestamp(END_DATE) - pd.Timedelta(days=31)]
    assert "failed" in set(recent.status)
    nps = year["nps"][year["nps"].account_id == globex.account_id].sort_values("responded_at")
    assert nps.score.iloc[-1] <= 6


def test_acme_is_middling_with_a_renewal_inside_90_days(year):
    acme = account(year, "Acme Corp Inc")
    contracts = year["contracts"]
    active = contracts[(contracts.account_id == acme.account_id) & (contracts.status == "active")]
    assert (active.end_date.iloc[0] - pd.Timestamp(END_DATE)).days <= 90
    utilisation = users(year, acme.account_id, 30, 0) / acme.licensed_seats
    initech = account(year, "Initech")
    assert utilisation < users(year, initech.account_id, 30, 0) / initech.licensed_seats


def test_initech_is_growing_with_an_open_expansion(year):
    initech = account(year, "Initech")
    assert users(year, initech.account_id, 30, 0) > 1.1 * users(year, initech.account_id, 210, 180)
    opportunities = year["opportunities"]
    mine = opportunities[
        (opportunities.account_id == initech.account_id) & (opportunities.type == "expansion")
    ]
    assert mine.won.isna().any(), "an open expansion opportunity"


def test_umbrella_lost_its_champion_and_talks_about_a_competitor(year):
    umbrella = account(year, "Umbrella Corporation")
    contacts = year["contacts"][year["contacts"].account_id == umbrella.account_id]
    assert (contacts.is_champion & ~contacts.is_active).any()
    tickets = year["tickets"][year["tickets"].account_id == umbrella.account_id]
    assert {"competitor", "cancellation"} <= set(tickets.category)


def test_company_names_never_collide_with_the_fixed_ones():
    import random

    namer = CompanyNamer(random.Random(5))
    generated = [namer.company("Software")[0] for _ in range(3000)]
    assert len(set(generated)) == len(generated)
    fixed_first_words = {spec.name.split()[0] for spec in FIXED_ACCOUNTS}
    assert not any(name.split()[0] in fixed_first_words for name in generated)
