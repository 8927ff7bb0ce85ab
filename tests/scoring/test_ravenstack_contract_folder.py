"""The RavenStack conversion the churn benchmark uses (bench/ravenstack.py, issue 11).

A slice of the shared RavenStack tables becomes a contract folder that ``csbot import``
loads cleanly, whose contracts never overlap, and whose outcomes keep the renewal day
known in advance (a churned term is not cut at its churn day, which would leak the
outcome into the features the back-test scores).
"""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from bench.ravenstack import DATASET, TERM_DAYS, build_contract_folder
from tests.support.cli import invoke

pytestmark = pytest.mark.skipif(not DATASET.is_dir(), reason="RavenStack dataset not present")


def test_a_ravenstack_slice_becomes_a_contract_folder_that_imports_cleanly(tmp_path):
    converted = build_contract_folder(tmp_path / "contract", accounts_limit=40)

    assert converted.last_day == date(2024, 12, 31)
    assert converted.rows["accounts"] == 40 and converted.rows["usage_daily"] > 0
    imported = invoke("import", str(converted.folder))
    assert imported.exit_code == 0, imported.output
    assert "contracts" in imported.stdout
    again = invoke("import", str(converted.folder))  # upsert by key: same rows, no error
    assert again.exit_code == 0, again.output
    stored = json.loads(invoke("status", "--json").stdout)["tables"]
    for table, rows in converted.rows.items():
        assert stored[table] == rows, (table, stored[table], rows)

    contracts = pd.read_csv(
        converted.folder / "contracts.csv", parse_dates=["start_date", "end_date"]
    )
    assert set(contracts["status"]) <= {"active", "renewed", "churned"}
    assert {"renewed", "churned"} & set(contracts["status"])
    outcomes = contracts[contracts["status"] != "active"]
    assert ((outcomes["end_date"] - outcomes["start_date"]).dt.days == TERM_DAYS).all()
    assert (outcomes["end_date"] <= pd.Timestamp(converted.last_day)).all()
    for _, terms in contracts.sort_values("start_date").groupby("account_id"):
        assert (
            terms["start_date"].iloc[1:].to_numpy() >= terms["end_date"].iloc[:-1].to_numpy()
        ).all()
        assert (terms["status"].iloc[:-1] != "active").all()  # only the last term is running
