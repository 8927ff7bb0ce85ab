"""``csbot import DIR --mapping FILE``: any CSV export into the contract (issue 13, "Any CSV export").

The shipped RavenStack mapping (examples/mappings/ravenstack.yaml) imports the shared
RavenStack tables and ``csbot score`` scores every active account; the expected counts
are computed from the dataset itself at test time. Bad cells are located in their own
source file and line, a bad mapping in the mapping file, expressions that try anything
but arithmetic are refused, and nothing is ever half-written. SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select, text

from bot.db.models import CONTRACT_MODELS
from bot.sources.csvmap.spec import load_csv_mapping
from tests.conftest import DATASETS_DIR
from tests.support.cli import invoke

RAVENSTACK = DATASETS_DIR / "ravenstack-saas"
MAPPING = Path(__file__).resolve().parents[2] / "examples" / "mappings" / "ravenstack.yaml"
FILES = ("accounts", "subscriptions", "feature_usage", "support_tickets", "churn_events")
needs_ravenstack = pytest.mark.skipif(not RAVENSTACK.is_dir(), reason="RavenStack not present")


@pytest.fixture
def store(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    out = {}
    with engine.connect() as connection:
        for model in CONTRACT_MODELS:
            table = model.__table__
            key = list(table.primary_key.columns)
            out[table.name] = [
                tuple(row) for row in connection.execute(select(table).order_by(*key))
            ]
    return out


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
            for table in ("accounts", "contracts", "usage_daily", "tickets")
        }


def ravenstack_slice(out: Path, accounts: int = 25) -> Path:
    """The first ``accounts`` RavenStack accounts and their rows, the files' text untouched."""
    out.mkdir(parents=True, exist_ok=True)
    tables = {}
    for name in FILES:
        with (RAVENSTACK / f"ravenstack_{name}.csv").open(newline="") as handle:
            reader = csv.reader(handle)
            tables[name] = (next(reader), list(reader))
    keep = {row[0] for row in tables["accounts"][1][:accounts]}
    subscriptions = {row[0] for row in tables["subscriptions"][1] if row[1] in keep}
    wanted = {
        "accounts": lambda row: row[0] in keep,
        "subscriptions": lambda row: row[1] in keep,
        "feature_usage": lambda row: row[1] in subscriptions,
        "support_tickets": lambda row: row[1] in keep,
        "churn_events": lambda row: row[1] in keep,
    }
    for name, (header, rows) in tables.items():
        with (out / f"ravenstack_{name}.csv").open("w", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(row for row in rows if wanted[name](row))
    return out


def edit_cell(path: Path, line: int, column: str, value: str) -> None:
    """Set one cell; ``line`` as an editor shows it (the header is line 1)."""
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    rows[line - 1][rows[0].index(column)] = value
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def mapped_import(folder: Path, mapping: Path = MAPPING):
    return invoke("import", str(folder), "--mapping", str(mapping))


# --- the RavenStack acceptance ------------------------------------------------------------


@needs_ravenstack
def test_the_ravenstack_mapping_imports_and_csbot_score_scores_every_active_account(
    store, tmp_path, time_machine
):
    accounts = pd.read_csv(RAVENSTACK / "ravenstack_accounts.csv")
    subscriptions = pd.read_csv(RAVENSTACK / "ravenstack_subscriptions.csv")
    usage = pd.read_csv(RAVENSTACK / "ravenstack_feature_usage.csv")
    tickets = pd.read_csv(RAVENSTACK / "ravenstack_support_tickets.csv")
    owner = subscriptions.set_index("subscription_id")["account_id"]
    usage["account_id"] = usage["subscription_id"].map(owner)
    days = usage.groupby(["account_id", "usage_date"])
    expected = {
        "accounts": len(accounts),
        "contracts": int((~subscriptions["is_trial"]).sum()),
        "usage_daily": days.ngroups,
        "tickets": len(tickets),
    }
    assert expected["accounts"] == 500 and expected["tickets"] == 2000  # the dataset's card

    imported = mapped_import(RAVENSTACK)
    assert imported.exit_code == 0, imported.output
    assert counts(store) == expected
    assert f"accounts {expected['accounts']}" in imported.stdout
    assert "778 left out by where" in imported.stderr  # the trials, said plainly

    # Spot checks against the dataset: rename, value maps, computed ARR, the default
    # end date, the lookup and aggregation, the date-time formats.
    with store.connect() as connection:
        first = accounts.iloc[0]
        account = connection.execute(
            text(
                "SELECT name, segment, licensed_seats, status FROM accounts WHERE account_id = :a"
            ),
            {"a": first["account_id"]},
        ).one()
        assert account.name == first["account_name"]
        assert (
            account.segment
            == {"Enterprise": "enterprise", "Pro": "mid-market", "Basic": "smb"}[first["plan_tier"]]
        )
        assert account.licensed_seats == first["seats"]
        assert account.status == ("churned" if first["churn_flag"] else "active")

        running = subscriptions[~subscriptions["is_trial"] & subscriptions["end_date"].isna()].iloc[
            0
        ]
        contract = connection.execute(
            text("SELECT arr, end_date, status FROM contracts WHERE contract_id = :c"),
            {"c": running["subscription_id"]},
        ).one()
        assert float(contract.arr) == running["mrr_amount"] * 12 == running["arr_amount"]
        start = pd.Timestamp(running["start_date"])
        assert str(contract.end_date)[:10] == start.replace(year=start.year + 1).date().isoformat()
        assert contract.status == "active"

        (account_id, day), group = next(iter(days))
        row = connection.execute(
            text(
                "SELECT active_users, events, features_used, session_minutes FROM usage_daily "
                "WHERE account_id = :a AND date = :d"
            ),
            {"a": account_id, "d": pd.Timestamp(day).date()},
        ).one()
        assert row.active_users == len(group)
        assert row.events == group["usage_count"].sum()
        assert row.features_used == group["feature_name"].nunique()
        assert row.session_minutes == pytest.approx(group["usage_duration_secs"].sum() / 60)

        medium = tickets[tickets["priority"] == "medium"].iloc[0]
        ticket = connection.execute(
            text("SELECT priority, status, resolved_at, csat FROM tickets WHERE ticket_id = :t"),
            {"t": medium["ticket_id"]},
        ).one()
        assert ticket.priority == "normal" and ticket.status == "closed"
        resolved = ticket.resolved_at
        resolved = datetime.fromisoformat(resolved) if isinstance(resolved, str) else resolved
        assert resolved.replace(tzinfo=None) == datetime.fromisoformat(medium["closed_at"])

    # Re-importing the same folder changes nothing (upsert by key).
    before = dump(store)
    again = mapped_import(RAVENSTACK)
    assert again.exit_code == 0, again.output
    assert dump(store) == before

    # The data ends on 2024-12-31: score the next morning.
    time_machine.move_to(datetime(2025, 1, 1, 8, 0, tzinfo=UTC), tick=False)
    out = tmp_path / "scores.csv"
    scored = invoke("score", "--out", str(out))
    assert scored.exit_code == 0, scored.output
    active = set(accounts.loc[~accounts["churn_flag"], "account_id"])
    table = pd.read_csv(out)
    assert set(table["account_id"]) == active and len(table) == len(active) == 390
    assert table["health"].between(0, 100).all()
    assert f"scored {len(active)} accounts as of 2025-01-01" in scored.stdout


# --- located errors, all-or-nothing -------------------------------------------------------


@needs_ravenstack
def test_a_bad_value_is_located_in_its_source_file_and_line_and_nothing_is_written(store, tmp_path):
    folder = ravenstack_slice(tmp_path / "export")
    edit_cell(folder / "ravenstack_accounts.csv", 17, "seats", "x")
    edit_cell(folder / "ravenstack_accounts.csv", 20, "seats", "-3")
    edit_cell(folder / "ravenstack_support_tickets.csv", 4, "priority", "critical")

    result = mapped_import(folder)

    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert "ravenstack_accounts.csv:17: seats: 'x': is not a whole number" in errors
    assert "ravenstack_accounts.csv:20: seats: '-3': must not be negative" in errors
    assert any(
        line.startswith("ravenstack_support_tickets.csv:4: priority: 'critical': must be one of")
        for line in errors
    ), errors
    assert "nothing was written (3 problem(s))" in result.stderr
    assert counts(store) == {"accounts": 0, "contracts": 0, "usage_daily": 0, "tickets": 0}


@needs_ravenstack
def test_cells_a_rule_cannot_use_are_located_each_in_its_own_file(store, tmp_path):
    folder = ravenstack_slice(tmp_path / "export")
    edit_cell(folder / "ravenstack_subscriptions.csv", 5, "is_trial", "False")
    edit_cell(folder / "ravenstack_subscriptions.csv", 5, "mrr_amount", "abc")  # arr = mrr * 12
    edit_cell(folder / "ravenstack_accounts.csv", 3, "signup_date", "03/01/2024")  # not %Y-%m-%d
    edit_cell(folder / "ravenstack_feature_usage.csv", 9, "usage_count", "lots")  # summed
    edit_cell(folder / "ravenstack_feature_usage.csv", 11, "subscription_id", "S-nowhere")
    edit_cell(folder / "ravenstack_subscriptions.csv", 6, "is_trial", "False")
    edit_cell(folder / "ravenstack_subscriptions.csv", 6, "start_date", "6/1/2024")  # required
    edit_cell(folder / "ravenstack_accounts.csv", 17, "seats", "x")  # the importer's check

    result = mapped_import(folder)

    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert "ravenstack_accounts.csv:17: seats: 'x': is not a whole number" in errors
    assert (
        "ravenstack_subscriptions.csv:6: start_date: '6/1/2024': does not match the format "
        "'%Y-%m-%d'" in errors
    )
    # Reported once: not again as an empty required cell by the importer's checks.
    assert [line for line in errors if line.startswith("ravenstack_subscriptions.csv:6:")] == [
        "ravenstack_subscriptions.csv:6: start_date: '6/1/2024': does not match the format "
        "'%Y-%m-%d'"
    ]
    assert "nothing was written (6 problem(s))" in result.stderr
    assert "ravenstack_subscriptions.csv:5: mrr_amount: 'abc': is not a number" in errors
    assert (
        "ravenstack_accounts.csv:3: signup_date: '03/01/2024': does not match the format "
        "'%Y-%m-%d'" in errors
    )
    assert "ravenstack_feature_usage.csv:9: usage_count: 'lots': is not a number" in errors
    assert (
        "ravenstack_feature_usage.csv:11: subscription_id: 'S-nowhere': no row of "
        "ravenstack_subscriptions.csv has this subscription_id" in errors
    )
    assert counts(store)["accounts"] == 0


@needs_ravenstack
def test_duplicate_keys_and_unknown_accounts_name_the_source_lines(store, tmp_path):
    folder = ravenstack_slice(tmp_path / "export")
    with (folder / "ravenstack_support_tickets.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    edit_cell(folder / "ravenstack_support_tickets.csv", 6, "ticket_id", rows[1][0])
    edit_cell(folder / "ravenstack_support_tickets.csv", 7, "account_id", "A-ghost")

    result = mapped_import(folder)

    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert (
        "ravenstack_support_tickets.csv:6: ticket_id: duplicate key "
        "(first at ravenstack_support_tickets.csv:2)" in errors
    )
    assert (
        "ravenstack_support_tickets.csv:7: account_id: 'A-ghost': no such account "
        "(not mapped from this folder nor in the store)" in errors
    )
    assert counts(store)["tickets"] == 0


def test_a_bad_mapping_is_refused_with_every_problem_located(store, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "crm.csv").write_text("Account ID,Account Name,Tier\nA1,Acme,Gold\n")
    mapping = tmp_path / "team.yaml"
    mapping.write_text(
        """
tables:
  accounts:
    from: crm.csv
    columns:
      account_id: Account ID
      name: Acount Name
      segmnt: Tier
      arr: {expr: "[Revenue] * 2"}
  tickets:
    from: zendesk.csv
    columns:
      ticket_id: id
  usage_daily:
    from: crm.csv
    columns:
      account_id: Account ID
      date: {field: Account ID, format: "%Y"}
      events: {aggregate: sum, field: Tier}
  invoicez:
    from: crm.csv
    columns: {invoice_id: Account ID}
"""
    )

    result = mapped_import(folder, mapping)

    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert "team.yaml: tables.accounts.columns.segmnt: not a column of accounts" in " ".join(errors)
    assert any(
        line.startswith("team.yaml: tables.invoicez.table: 'invoicez' is not") for line in errors
    )
    assert "team.yaml: tables.tickets.columns.account_id: required by the contract" in errors
    assert "team.yaml: tables.tickets.columns.created_at: required by the contract" in errors
    assert (
        "team.yaml: tables.usage_daily.columns.events.aggregate: needs group_by on the table"
        in (errors)
    )
    assert counts(store)["accounts"] == 0

    # Structure fixed, the folder is checked next: files and columns, with a suggestion.
    mapping.write_text(
        """
tables:
  accounts:
    from: crm.csv
    columns:
      account_id: Account ID
      name: Acount Name
      arr: {expr: "[Revenue] * 2"}
  tickets:
    from: zendesk.csv
    columns: {ticket_id: id, account_id: org, created_at: created}
"""
    )
    result = mapped_import(folder, mapping)
    errors = result.stderr.splitlines()
    assert result.exit_code == 1
    assert (
        "team.yaml: tables.accounts.columns.name: no column 'Acount Name' in crm.csv; "
        "did you mean 'Account Name'?" in errors
    )
    assert "team.yaml: tables.accounts.columns.arr: no column 'Revenue' in crm.csv" in errors
    assert "team.yaml: tables.tickets.from: zendesk.csv: no such file in export" in errors


@pytest.mark.parametrize(
    ("expression", "why"),
    [
        ("__import__('os').system('true')", "names starting with '__' are not allowed"),
        ("mrr_amount.real", "attribute access not allowed"),
        ("abs(mrr_amount)", "function calls not allowed"),
        ("mrr_amount ** 2", "the operator Pow not allowed"),
        ("mrr_amount[0]", "not a valid expression"),
        ("'12' + mrr_amount", "'12' is not a number"),
        ("(lambda: 1)()", "function calls not allowed"),
    ],
)
def test_an_expression_that_tries_anything_but_arithmetic_is_refused(
    sqlite_engine, monkeypatch, tmp_path, expression, why
):
    monkeypatch.setenv(
        "CSBOT_DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False)
    )
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "subs.csv").write_text("id,account,mrr_amount\nS1,A1,10\n")
    mapping = tmp_path / "team.yaml"
    mapping.write_text(
        "tables:\n  accounts:\n    from: subs.csv\n    columns:\n"
        "      account_id: account\n      name: account\n"
        f"      arr: {{expr: {json.dumps(expression)}}}\n"
    )

    result = mapped_import(folder, mapping)

    assert result.exit_code == 1
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("team.yaml")]
    assert line.startswith("team.yaml: tables.accounts.columns.arr.expr: "), line
    assert why in line
    assert counts(sqlite_engine)["accounts"] == 0


# --- a team's own spreadsheet export -------------------------------------------------------


def test_a_spreadsheet_export_with_its_own_names_values_and_dates_imports(store, tmp_path):
    folder = tmp_path / "gainsight"
    folder.mkdir()
    (folder / "companies.csv").write_text(
        "Company ID,Company Name,Tier,MRR (USD),Customer Since,Test Account\n"
        "C-1,Acme,Strategic,1000,03/15/2021,No\n"
        "C-2,Globex,Growth,250.5,12/01/2022,No\n"
        "C-3,Initech,Unknown tier,,01/31/2023,No\n"
        "C-9,Internal QA,Strategic,1,01/01/2020,Yes\n"
    )
    (folder / "renewals_2024.csv").write_text(
        "Renewal ID,Company ID,Start,End,Base MRR,Add-on MRR,Auto\n"
        "R-1,C-1,03/15/2024,03/14/2025,1000,200,Y\n"
        "R-2,C-2,12/01/2024,,250.5,0,N\n"
    )
    (folder / "renewals_2023.csv").write_text(
        "Renewal ID,Company ID,Start,End,Base MRR,Add-on MRR,Auto\nR-0,C-1,03/15/2023,03/14/2024,900,0,Y\n"
    )
    mapping = tmp_path / "gainsight.yaml"
    mapping.write_text(
        """
tables:
  accounts:
    from: companies.csv
    where: "[Test Account] != 'Yes'"
    columns:
      account_id: Company ID
      name: Company Name
      segment:
        field: Tier
        values: {Strategic: enterprise, Growth: smb}
        unmapped: null
      arr: {expr: "[MRR (USD)] * 12", default: 0}
      customer_since: {field: Customer Since, format: "%m/%d/%Y"}
      status: {value: active}
  contracts:
    from: [renewals_2023.csv, renewals_2024.csv]
    columns:
      contract_id: Renewal ID
      account_id: Company ID
      start_date: {field: Start, format: "%m/%d/%Y"}
      end_date:
        - {field: End, format: "%m/%d/%Y"}
        - {field: Start, format: "%m/%d/%Y", transform: year_later}
      arr: {expr: "([Base MRR] + [Add-on MRR]) * 12"}
      auto_renew: {field: Auto, values: {"Y": "true", "N": "false"}}
"""
    )

    result = mapped_import(folder, mapping)

    assert result.exit_code == 0, result.output
    assert "accounts 3, contracts 3" in result.stdout
    with store.connect() as connection:
        accounts = {
            row.account_id: row
            for row in connection.execute(
                text("SELECT account_id, segment, arr, customer_since FROM accounts")
            )
        }
        contracts = {
            row.contract_id: row
            for row in connection.execute(
                text("SELECT contract_id, start_date, end_date, arr, auto_renew FROM contracts")
            )
        }
    assert set(accounts) == {"C-1", "C-2", "C-3"}  # the test account is filtered out
    assert accounts["C-1"].segment == "enterprise" and accounts["C-3"].segment is None
    assert float(accounts["C-2"].arr) == 3006.0 and float(accounts["C-3"].arr) == 0
    assert str(accounts["C-1"].customer_since)[:10] == "2021-03-15"
    assert float(contracts["R-1"].arr) == 14400.0 and bool(contracts["R-1"].auto_renew)
    assert str(contracts["R-2"].end_date)[:10] == "2025-12-01"  # start + a year
    assert str(contracts["R-0"].start_date)[:10] == "2023-03-15"


def test_an_unmapped_value_without_unmapped_is_refused_at_its_line(store, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "companies.csv").write_text("id,name,tier\nA1,Acme,Gold\nA2,Beta,Platinum\n")
    mapping = tmp_path / "team.yaml"
    mapping.write_text(
        "tables:\n  accounts:\n    from: companies.csv\n    columns:\n"
        "      account_id: id\n      name: name\n"
        "      segment: {field: tier, values: {Gold: enterprise}}\n"
    )

    result = mapped_import(folder, mapping)

    assert result.exit_code == 1
    assert (
        "companies.csv:3: tier: 'Platinum': must be one of enterprise, mid-market, smb"
        in result.stderr.splitlines()
    )
    assert counts(store)["accounts"] == 0


def test_dry_run_checks_the_mapping_and_writes_nothing(store, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "companies.csv").write_text("id,name\nA1,Acme\n")
    mapping = tmp_path / "team.yaml"
    mapping.write_text(
        "tables:\n  accounts:\n    from: companies.csv\n    columns: {account_id: id, name: name}\n"
    )
    result = invoke("import", str(folder), "--mapping", str(mapping), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "checked (dry run, nothing written) 1 rows" in result.stdout
    assert counts(store)["accounts"] == 0
    assert mapped_import(folder, mapping).exit_code == 0
    assert counts(store)["accounts"] == 1


def test_the_example_mapping_is_shipped_where_the_readme_says():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "examples/mappings/ravenstack.yaml" in readme
    mapping = load_csv_mapping(MAPPING)
    assert [table.table for table in mapping.tables] == [
        "accounts",
        "contracts",
        "usage_daily",
        "tickets",
    ]


def test_lookups_filters_and_aggregates_build_usage_and_contracts_from_raw_lines(store, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "companies.csv").write_text("Company,Slug\nAcme,acme\nGlobex,globex\n")
    (folder / "events.csv").write_text(
        "user,company,day,event,seconds\n"
        "u1,acme,2024-05-01,login,60\n"
        "u2,acme,2024-05-01,report,120\n"
        "u1,acme,2024-05-01,report,30\n"
        "u1,acme,2024-05-02,login,\n"
        "bot,acme,2024-05-02,login,5\n"
        "u9,unknown-co,2024-05-02,login,10\n"
        "u3,globex,2024-05-01,export,600\n"
    )
    (folder / "lines.csv").write_text(
        "order,company,line_start,line_end,amount\n"
        "O-1,Acme,2024-01-01,2024-12-31,1000\n"
        "O-1,Acme,2024-03-01,2025-02-28,500\n"
        ",Acme,2024-03-01,2025-02-28,999\n"
        "O-2,Globex,2024-02-01,2025-01-31,300\n"
    )
    mapping = tmp_path / "team.yaml"
    mapping.write_text(
        """
tables:
  accounts:
    from: companies.csv
    columns: {account_id: Slug, name: Company}
  usage_daily:
    from: events.csv
    where: "user != 'bot'"
    lookups:
      company: {file: companies.csv, key: Slug, match: company, missing: skip}
    group_by: [account_id, date]
    columns:
      account_id: company.Slug
      date: day
      active_users: {aggregate: distinct, field: user}
      logins: {aggregate: sum, expr: "1", }
      events: {aggregate: count}
      features_used: {aggregate: distinct, field: event}
      session_minutes: {aggregate: sum, expr: "seconds / 60"}
  contracts:
    from: lines.csv
    skip_if_missing: [order]
    lookups:
      company: {file: companies.csv, key: Company, match: company}
    group_by: [contract_id]
    columns:
      contract_id: order
      account_id: {aggregate: max, field: company.Slug}
      start_date: {aggregate: min, field: line_start}
      end_date: {aggregate: max, field: line_end}
      arr: {aggregate: sum, field: amount}
"""
    )

    result = mapped_import(folder, mapping)

    assert result.exit_code == 0, result.output
    assert "accounts 2, contracts 2, usage_daily 3" in result.stdout
    assert "contracts: 4 source rows read, 0 left out by where, 1 skipped" in result.stderr
    with store.connect() as connection:
        usage = {
            (row.account_id, str(row.date)[:10]): row
            for row in connection.execute(text("SELECT * FROM usage_daily"))
        }
        contracts = {
            row.contract_id: row for row in connection.execute(text("SELECT * FROM contracts"))
        }
    first = usage[("acme", "2024-05-01")]
    assert (first.active_users, first.logins, first.events, first.features_used) == (2, 3, 3, 2)
    assert first.session_minutes == pytest.approx(3.5)
    second = usage[("acme", "2024-05-02")]  # the bot is filtered out, the unknown company skipped
    assert (second.active_users, second.events, second.session_minutes) == (1, 1, None)
    acme = contracts["O-1"]
    assert acme.account_id == "acme" and float(acme.arr) == 1500
    assert (str(acme.start_date)[:10], str(acme.end_date)[:10]) == ("2024-01-01", "2025-02-28")


def test_files_outside_the_folder_are_refused(store, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    secret = tmp_path / "secret.csv"
    secret.write_text("id,name\nA1,Acme\n")
    (folder / "linked.csv").symlink_to(secret)
    mapping = tmp_path / "team.yaml"
    mapping.write_text(
        "tables:\n"
        "  accounts:\n    from: ../secret.csv\n    columns: {account_id: id, name: name}\n"
        "  contacts:\n    from: linked.csv\n"
        "    columns: {contact_id: id, account_id: id, name: name}\n"
    )
    result = mapped_import(folder, mapping)
    assert result.exit_code == 1
    assert (
        "team.yaml: tables.accounts.from: '../secret.csv': a .csv file name inside the folder"
        in result.stderr.splitlines()
    )
    mapping.write_text(
        "tables:\n  accounts:\n    from: linked.csv\n    columns: {account_id: id, name: name}\n"
    )
    result = mapped_import(folder, mapping)
    assert result.exit_code == 1
    assert (
        "team.yaml: tables.accounts.from: linked.csv: symlink points outside the folder; refused"
        in result.stderr.splitlines()
    )
    assert counts(store)["accounts"] == 0


@needs_ravenstack
@pytest.mark.parametrize("db_kind", ["sqlite"])
def test_the_mapping_aggregates_usage_as_the_benchmarks_code_conversion_does(store, tmp_path):
    from bench.ravenstack import build_contract_folder

    converted = build_contract_folder(tmp_path / "bench", accounts_limit=40)
    result = mapped_import(ravenstack_slice(tmp_path / "export", accounts=40))
    assert result.exit_code == 0, result.output

    expected = pd.read_csv(converted.folder / "usage_daily.csv").set_index(["account_id", "date"])
    with store.connect() as connection:
        stored = pd.read_sql(text("SELECT * FROM usage_daily"), connection)
    stored["date"] = pd.to_datetime(stored["date"]).dt.strftime("%Y-%m-%d")
    assert len(stored) == len(expected)
    stored = stored.set_index(["account_id", "date"]).loc[expected.index]
    for column in ("active_users", "logins", "events", "features_used"):
        assert (stored[column] == expected[column]).all(), column
    assert stored["session_minutes"].round(1).tolist() == pytest.approx(
        expected["session_minutes"].tolist()
    )
