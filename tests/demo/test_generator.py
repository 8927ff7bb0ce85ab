"""The demo folder: deterministic, contract-clean, internally consistent, importable."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.sources.demo import DemoConfig, generate_demo
from bot.sources.demo.rows import TABLES
from bot.sources.demo.writer import MARKER
from bot.sources.importer import import_folder
from tests.demo.conftest import END_DATE, SMALL
from tests.demo.contract_check import read_folder


def test_same_config_writes_identical_files_and_another_seed_does_not(small_demo, tmp_path):
    again = generate_demo(SMALL, tmp_path / "again")
    other = generate_demo(
        DemoConfig(end_date=SMALL.end_date, accounts=SMALL.accounts, days=SMALL.days, seed=8),
        tmp_path / "other",
    )
    for table in TABLES:
        first = (small_demo.folder / f"{table}.csv").read_bytes()
        assert first == (again.folder / f"{table}.csv").read_bytes(), table
    assert (small_demo.folder / "tickets.csv").read_bytes() != (
        other.folder / "tickets.csv"
    ).read_bytes()
    assert again.rows == small_demo.rows


def test_many_small_blocks_are_deterministic_and_keep_keys_unique(tmp_path):
    config = DemoConfig(end_date=END_DATE, accounts=30, days=60, seed=5)
    first = generate_demo(config, tmp_path / "a", cells_per_block=300)
    second = generate_demo(config, tmp_path / "b", cells_per_block=300)
    for table in TABLES:
        assert (first.folder / f"{table}.csv").read_bytes() == (
            second.folder / f"{table}.csv"
        ).read_bytes()
    _, problems = read_folder(first.folder)
    assert problems == []


def test_every_file_conforms_to_the_contract(small_demo):
    tables, problems = read_folder(small_demo.folder)
    assert problems == []
    assert {table: len(rows) for table, rows in tables.items()} == small_demo.rows
    assert all(small_demo.rows[table] > 0 for table in TABLES)


def test_the_folder_imports_cleanly_on_both_backends(small_demo, engine):
    report = import_folder(small_demo.folder, engine)
    assert report.warnings == []
    assert report.rows == small_demo.rows
    with engine.connect() as connection:
        stored = {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in TABLES
        }
    assert stored == small_demo.rows
    assert import_folder(small_demo.folder, engine).rows == small_demo.rows, "idempotent"


def test_time_is_consistent_across_tables(small_demo):
    tables, _ = read_folder(small_demo.folder)
    start = SMALL.start_date
    midnight = datetime.combine(END_DATE, datetime.min.time(), tzinfo=UTC)
    accounts = {row["account_id"]: row for row in tables["accounts"]}

    usage_days = defaultdict(list)
    for row in tables["usage_daily"]:
        usage_days[row["account_id"]].append(row["date"])
    for account_id, days in usage_days.items():
        account = accounts[account_id]
        assert min(days) >= max(start, account["customer_since"])
        assert max(days) <= END_DATE
        if account["status"] == "churned":
            assert max(days) < account["churned_at"], "no usage on or after churn"

    for table, column in (
        ("tickets", "created_at"),
        ("nps", "responded_at"),
        ("interactions", "occurred_at"),
        ("contacts", "last_contacted_at"),
    ):
        stamps = [row[column] for row in tables[table] if row[column] is not None]
        assert stamps and max(stamps) < midnight, f"{table}.{column} in the future"
    for ticket in tables["tickets"]:
        if ticket["resolved_at"] is not None:
            assert ticket["resolved_at"] >= ticket["created_at"]
            assert ticket["status"] in ("solved", "closed")
        else:
            assert ticket["status"] in ("open", "pending") and ticket["csat"] is None
    contact_account = {row["contact_id"]: row["account_id"] for row in tables["contacts"]}
    for table in ("tickets", "nps", "interactions"):
        for row in tables[table]:
            if row["contact_id"] is not None:
                assert contact_account[row["contact_id"]] == row["account_id"]
    for invoice in tables["invoices"]:
        assert start <= invoice["issued_at"] <= END_DATE
        assert (invoice["paid_at"] is not None) == (invoice["status"] == "paid")


def test_contracts_tell_each_account_history(small_demo):
    tables, _ = read_folder(small_demo.folder)
    by_account = defaultdict(list)
    for contract in tables["contracts"]:
        by_account[contract["account_id"]].append(contract)
    for account in tables["accounts"]:
        contracts = sorted(by_account[account["account_id"]], key=lambda c: c["start_date"])
        statuses = Counter(c["status"] for c in contracts)
        assert contracts[0]["start_date"] == account["customer_since"]
        if account["status"] == "active":
            assert statuses["active"] == 1 and statuses["churned"] == 0
            active = next(c for c in contracts if c["status"] == "active")
            assert END_DATE < active["end_date"] <= END_DATE + timedelta(days=365)
            assert float(active["arr"]) == float(account["arr"])
        else:
            assert statuses["active"] == 0 and contracts[-1]["status"] == "churned"
            assert contracts[-1]["end_date"] == account["churned_at"]
            assert account["churn_reason"]
            assert account["churned_at"] >= SMALL.start_date + timedelta(days=SMALL.days // 2)
        renewed = [c for c in contracts if c["status"] == "renewed"]
        assert all(c["end_date"] < END_DATE for c in renewed)
        for earlier, later in zip(contracts, contracts[1:], strict=False):
            assert later["start_date"] == earlier["end_date"] + timedelta(days=1)


def test_dense_usage_writes_every_account_every_day(tmp_path):
    config = DemoConfig(end_date=END_DATE, accounts=25, days=40, seed=3, dense_usage=True)
    summary = generate_demo(config, tmp_path / "dense")
    assert summary.rows["usage_daily"] == 25 * 40
    sparse = generate_demo(
        DemoConfig(end_date=END_DATE, accounts=25, days=40, seed=3), tmp_path / "sparse"
    )
    assert sparse.rows["usage_daily"] < summary.rows["usage_daily"]


def test_the_marker_records_how_the_folder_was_made(small_demo):
    import json

    marker = json.loads((small_demo.folder / MARKER).read_text())
    assert marker["seed"] == SMALL.seed and marker["end_date"] == END_DATE.isoformat()
    assert marker["rows"] == small_demo.rows


@pytest.mark.parametrize("bad", [{"accounts": 0}, {"days": 5}, {"seed": -1}])
def test_config_rejects_nonsense(bad):
    values = {"end_date": END_DATE, **bad}
    with pytest.raises(ValueError, match=next(iter(bad))):
        DemoConfig(**values)
