"""The contract importer: every rule of DATA_CONTRACT.md, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from bot.db.models import CONTRACT_MODELS, Account, Contact, Csm, NpsResponse, SourceLoad, Ticket
from bot.db.session import make_session_factory
from bot.errors import ImportFailed
from bot.sources.importer import import_folder
from tests.db.contract_folder import BASE_ROWS, build_folder, write_csv, write_jsonl


def dump(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every contract table's rows, ordered, as plain tuples."""
    out = {}
    with engine.connect() as connection:
        for model in CONTRACT_MODELS:
            table = model.__table__
            key = [column for column in table.primary_key.columns]
            out[table.name] = [
                tuple(row) for row in connection.execute(select(table).order_by(*key))
            ]
    return out


def problems_of(folder: Path, engine: Engine) -> list[str]:
    with pytest.raises(ImportFailed) as caught:
        import_folder(folder, engine)
    return caught.value.problems


def rows_with(table: str, index: int, **changes: str) -> dict[str, list[dict[str, str]]]:
    rows = copy.deepcopy(BASE_ROWS[table])
    rows[index].update(changes)
    return {table: rows}


def test_import_loads_every_table_with_types(engine, tmp_path):
    report = import_folder(build_folder(tmp_path / "in"), engine)
    assert report.rows["usage_daily"] == 28
    session = make_session_factory(engine)()
    acme = session.get(Account, "A1")
    assert acme.arr == Decimal("120000.50")
    assert acme.currency == "USD"  # default when the column is absent
    assert acme.status == "active"  # default
    assert session.get(Account, "A2").parent_account_id == "A1"
    contact = session.get(Contact, "P1")
    assert contact.is_champion is True and contact.is_decision_maker is False
    assert contact.last_contacted_at == datetime(2026, 10, 1, 10, 0, tzinfo=UTC)  # no offset = UTC
    nps = session.get(NpsResponse, "N1")
    assert nps.responded_at == datetime(2026, 9, 20, 10, 0, tzinfo=UTC)  # +02:00 converted
    ticket = session.get(Ticket, "T1")
    assert ticket.description == 'Login fails, "urgent"\nsecond line'
    assert ticket.escalated is True and ticket.csat == 2
    usage = session.get(SourceLoad, "usage_daily")
    assert usage.rows_loaded == 28 and usage.data_as_of.date() == date(2026, 10, 28)
    session.close()


def test_importing_the_same_folder_twice_changes_nothing(engine, tmp_path):
    folder = build_folder(tmp_path / "in")
    import_folder(folder, engine)
    before = dump(engine)
    import_folder(folder, engine)
    assert dump(engine) == before


def test_changed_row_updates_and_absent_columns_are_kept(engine, tmp_path):
    import_folder(build_folder(tmp_path / "first"), engine)
    second = tmp_path / "second"
    second.mkdir()
    write_csv(second / "csms.csv", BASE_ROWS["csms"])
    write_csv(
        second / "accounts.csv", [{"account_id": "A1", "name": "Acme Corporation", "arr": "130000"}]
    )
    import_folder(second, engine)
    session = make_session_factory(engine)()
    acme = session.get(Account, "A1")
    assert acme.name == "Acme Corporation" and acme.arr == Decimal("130000")
    assert acme.csm_id == "C1" and acme.segment == "enterprise"  # not in the file: untouched
    assert session.get(Account, "A2") is not None  # never deleted
    session.close()


def test_one_bad_row_among_thousands_names_the_line_and_writes_nothing(engine, tmp_path, db_kind):
    import_folder(build_folder(tmp_path / "seed"), engine)
    before = dump(engine)
    sqlite_file = Path(engine.url.database) if db_kind == "sqlite" else None
    digest_before = hashlib.sha256(sqlite_file.read_bytes()).hexdigest() if sqlite_file else None
    usage = []
    start = date(2019, 1, 1).toordinal()
    for n in range(5000):
        usage.append(
            {
                "account_id": "A1" if n % 2 else "A2",
                "date": date.fromordinal(start + n // 2).isoformat(),
                "active_users": str(n % 40),
            }
        )
    usage[3456]["active_users"] = "many"
    folder = build_folder(tmp_path / "bad", {"usage_daily": usage})
    assert problems_of(folder, engine) == [
        "usage_daily.csv:3458: active_users: 'many': is not a whole number"
    ]
    assert dump(engine) == before
    if sqlite_file:
        assert hashlib.sha256(sqlite_file.read_bytes()).hexdigest() == digest_before


def test_dry_run_checks_but_writes_nothing(engine, tmp_path):
    report = import_folder(build_folder(tmp_path / "in"), engine, dry_run=True)
    assert report.rows["accounts"] == 2
    assert all(rows == [] for rows in dump(engine).values())


def test_every_bad_row_is_reported_not_only_the_first(engine, tmp_path):
    rows = copy.deepcopy(BASE_ROWS["accounts"])
    rows[0]["arr"] = "abc"
    rows[1]["segment"] = "huge"
    problems = problems_of(build_folder(tmp_path / "in", {"accounts": rows}), engine)
    assert problems == [
        "accounts.csv:2: arr: 'abc': is not a number",
        "accounts.csv:3: segment: 'huge': must be one of enterprise, mid-market, smb",
    ]


@pytest.mark.parametrize(
    ("table", "index", "changes", "expected"),
    [
        ("accounts", 0, {"arr": "abc"}, "accounts.csv:2: arr: 'abc': is not a number"),
        ("accounts", 0, {"arr": "-5"}, "accounts.csv:2: arr: '-5': must not be negative"),
        ("accounts", 1, {"name": ""}, "accounts.csv:3: name: '': is required"),
        (
            "accounts",
            0,
            {"customer_since": "03/01/2022"},
            "accounts.csv:2: customer_since: '03/01/2022': is not a date (YYYY-MM-DD)",
        ),
        (
            "accounts",
            0,
            {"licensed_seats": "12.5"},
            "accounts.csv:2: licensed_seats: '12.5': is not a whole number",
        ),
        (
            "accounts",
            0,
            {"csm_id": "C404"},
            "accounts.csv:2: csm_id: 'C404': no such csm (not in csms file nor the store)",
        ),
        (
            "accounts",
            1,
            {"parent_account_id": "A404"},
            "accounts.csv:3: parent_account_id: 'A404': no such account (not in this file nor in the store)",
        ),
        (
            "csms",
            0,
            {"role": "boss"},
            "csms.csv:2: role: 'boss': must be one of csm, manager, admin",
        ),
        (
            "csms",
            1,
            {"manager_id": "M404"},
            "csms.csv:3: manager_id: 'M404': no such csm (not in this file nor in the store)",
        ),
        (
            "contacts",
            0,
            {"account_id": "A404"},
            "contacts.csv:2: account_id: 'A404': no such account (not in accounts file nor the store)",
        ),
        (
            "contacts",
            0,
            {"is_champion": "maybe"},
            "contacts.csv:2: is_champion: 'maybe': is not a boolean (true/false/1/0/yes/no)",
        ),
        (
            "contacts",
            0,
            {"last_contacted_at": "yesterday"},
            "contacts.csv:2: last_contacted_at: 'yesterday': is not an ISO 8601 date-time",
        ),
        (
            "contracts",
            0,
            {"end_date": "2025-01-01"},
            "contracts.csv:2: end_date: '2025-01-01': is before start_date 2025-12-01",
        ),
        (
            "contracts",
            0,
            {"status": "lost"},
            "contracts.csv:2: status: 'lost': must be one of active, renewed, churned, pending",
        ),
        ("contracts", 0, {"arr": ""}, "contracts.csv:2: arr: '': is required"),
        (
            "usage_daily",
            0,
            {"date": "2026-02-30"},
            "usage_daily.csv:2: date: '2026-02-30': is not a date (YYYY-MM-DD)",
        ),
        (
            "usage_daily",
            0,
            {"logins": "-1"},
            "usage_daily.csv:2: logins: '-1': must not be negative",
        ),
        ("tickets", 0, {"csat": "6"}, "tickets.csv:2: csat: '6': must be between 1 and 5"),
        ("tickets", 0, {"csat": "0"}, "tickets.csv:2: csat: '0': must be between 1 and 5"),
        (
            "tickets",
            0,
            {"priority": "p1"},
            "tickets.csv:2: priority: 'p1': must be one of low, normal, high, urgent",
        ),
        (
            "tickets",
            0,
            {"contact_id": "P404"},
            "tickets.csv:2: contact_id: 'P404': no such contact (not in contacts file nor the store)",
        ),
        ("invoices", 0, {"amount": "-10"}, "invoices.csv:2: amount: '-10': must not be negative"),
        (
            "invoices",
            0,
            {"status": "late"},
            "invoices.csv:2: status: 'late': must be one of paid, open, overdue, failed, void",
        ),
        ("nps", 0, {"score": "11"}, "nps.csv:2: score: '11': must be between 0 and 10"),
        ("nps", 0, {"score": "-1"}, "nps.csv:2: score: '-1': must be between 0 and 10"),
        (
            "interactions",
            0,
            {"type": "lunch"},
            "interactions.csv:2: type: 'lunch': must be one of meeting, email, call, qbr, note",
        ),
        (
            "interactions",
            0,
            {"csm_id": "C404"},
            "interactions.csv:2: csm_id: 'C404': no such csm (not in csms file nor the store)",
        ),
        (
            "opportunities",
            0,
            {"amount": "-1"},
            "opportunities.csv:2: amount: '-1': must not be negative",
        ),
        (
            "opportunities",
            0,
            {"won": "perhaps"},
            "opportunities.csv:2: won: 'perhaps': is not a boolean (true/false/1/0/yes/no)",
        ),
    ],
)
def test_each_contract_rule_rejects_bad_input(engine, tmp_path, table, index, changes, expected):
    folder = build_folder(tmp_path / "in", rows_with(table, index, **changes))
    assert problems_of(folder, engine) == [expected]
    assert all(rows == [] for rows in dump(engine).values())


def test_duplicate_key_inside_one_file(engine, tmp_path):
    rows = copy.deepcopy(BASE_ROWS["accounts"]) + [dict(BASE_ROWS["accounts"][0])]
    assert problems_of(build_folder(tmp_path / "in", {"accounts": rows}), engine) == [
        "accounts.csv:4: account_id: duplicate key (first on line 2)"
    ]


def test_composite_duplicate_key(engine, tmp_path):
    rows = copy.deepcopy(BASE_ROWS["usage_daily"])
    rows.append(dict(rows[5]))
    assert problems_of(build_folder(tmp_path / "in", {"usage_daily": rows}), engine) == [
        f"usage_daily.csv:{len(rows) + 1}: account_id+date: duplicate key (first on line 7)"
    ]


def test_references_may_point_at_rows_already_in_the_store(engine, tmp_path):
    import_folder(build_folder(tmp_path / "first"), engine)
    later = tmp_path / "later"
    later.mkdir()
    write_csv(later / "csms.csv", BASE_ROWS["csms"][:1])
    write_csv(later / "accounts.csv", [{"account_id": "A3", "name": "Initech", "csm_id": "C1"}])
    write_csv(
        later / "tickets.csv",
        [{"ticket_id": "T9", "account_id": "A2", "created_at": "2026-11-01", "contact_id": "P1"}],
    )
    import_folder(later, engine)
    session = make_session_factory(engine)()
    assert session.get(Ticket, "T9").account_id == "A2"
    session.close()


def test_missing_required_files_and_columns(engine, tmp_path):
    folder = tmp_path / "only-accounts"
    folder.mkdir()
    write_csv(folder / "accounts.csv", BASE_ROWS["accounts"])
    assert problems_of(folder, engine) == ["csms.csv: missing: the contract requires a csms file"]
    folder = build_folder(tmp_path / "no-name")
    write_csv(folder / "csms.csv", [{"csm_id": "C1", "email": "x@example.com"}])
    assert "csms.csv:1: name: missing required column" in problems_of(folder, engine)


def test_column_names_are_case_insensitive_and_unknown_columns_warn(engine, tmp_path):
    folder = build_folder(tmp_path / "in")
    write_csv(
        folder / "csms.csv",
        [
            {"CSM_ID": "C1", "Name": "Chris Lane", "Shoe_Size": "44"},
            {"CSM_ID": "M1", "Name": "Maya", "Shoe_Size": "40"},
        ],
    )
    report = import_folder(folder, engine)
    assert report.warnings == ["csms.csv: unknown column(s) shoe_size ignored"]
    session = make_session_factory(engine)()
    assert session.get(Csm, "C1").name == "Chris Lane"
    session.close()


def test_jsonl_files_follow_the_same_rules(engine, tmp_path):
    folder = build_folder(tmp_path / "in")
    (folder / "nps.csv").unlink()
    write_jsonl(
        folder / "nps.jsonl",
        [
            {
                "response_id": "N1",
                "account_id": "A1",
                "responded_at": "2026-09-20",
                "score": 9,
                "comment": None,
            },
            {"response_id": "N2", "account_id": "A1", "responded_at": "2026-09-21", "score": 14},
        ],
    )
    assert problems_of(folder, engine) == ["nps.jsonl:2: score: '14': must be between 0 and 10"]


def test_line_numbers_count_multi_line_cells_like_an_editor(engine, tmp_path):
    tickets = [
        {
            "ticket_id": "T1",
            "account_id": "A1",
            "created_at": "2026-10-03T09:00:00Z",
            "description": "first\nsecond\nthird",
        },
        {"ticket_id": "T2", "account_id": "A1", "created_at": "not a time", "description": "x"},
    ]
    folder = build_folder(tmp_path / "in", {"tickets": tickets})
    assert problems_of(folder, engine) == [
        "tickets.csv:5: created_at: 'not a time': is not an ISO 8601 date-time"
    ]


def test_import_writes_an_audit_record(engine, tmp_path):
    import_folder(build_folder(tmp_path / "in"), engine, actor="cli:tester")
    with engine.connect() as connection:
        actor, action = connection.execute(text("SELECT actor, action FROM audit_log")).one()
    assert (actor, action) == ("cli:tester", "import")
