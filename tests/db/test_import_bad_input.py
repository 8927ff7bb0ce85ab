"""Bad input at import, through ``csbot import FOLDER``, on SQLite and PostgreSQL.

Every case must end the same way: a located ``file:line: …`` line on stderr, exit 1,
the store byte-identical (SQLite file hash and every contract row), no traceback, and
no customer row echoed on stderr.
"""

from __future__ import annotations

import copy
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import Engine, text

from bot.db.models import Account
from bot.db.session import make_session_factory
from tests.db.contract_folder import BASE_ROWS, build_folder, write_csv, write_jsonl
from tests.db.test_importer import dump
from tests.support.cli import invoke

# Values of the seeded store that no error line may print (they are customer rows).
SEEDED = ("Maya Manager", "chris@example.com", "Globex Corporation", "pat@acme.test", "SSO broken")


@pytest.fixture
def store(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The CLI pointed at ``engine``, which already holds the base folder's rows."""
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    seeded = invoke("import", str(build_folder(tmp_path / "seed")))
    assert seeded.exit_code == 0, seeded.output
    return engine


def _digest(engine: Engine) -> str | None:
    if engine.dialect.name != "sqlite":
        return None
    return hashlib.sha256(Path(engine.url.database).read_bytes()).hexdigest()


def refused(engine: Engine, folder: Path) -> list[str]:
    """Run ``csbot import`` on a bad folder; check the common promises; return stderr lines."""
    before, digest = dump(engine), _digest(engine)
    result = invoke("import", str(folder))
    _assert_clean_failure(result)
    assert dump(engine) == before
    assert _digest(engine) == digest
    return result.stderr.splitlines()


def _assert_clean_failure(result: Result) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # no exception escaped the command
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert not any(value in result.stderr for value in SEEDED), result.stderr
    assert all(len(line) <= 300 for line in result.stderr.splitlines())
    assert "nothing was written" in result.stderr


def with_cell(table: str, index: int, **changes: str) -> dict[str, list[dict[str, str]]]:
    rows = copy.deepcopy(BASE_ROWS[table])
    rows[index].update(changes)
    return {table: rows}


@pytest.mark.parametrize(
    ("table", "changes", "expected"),
    [
        (
            "accounts",
            {"arr": "1e400"},
            "accounts.csv:2: arr: '1e400': is too large (at most 9999999999999.99)",
        ),
        (
            "accounts",
            {"arr": "1e308"},
            "accounts.csv:2: arr: '1e308': is too large (at most 9999999999999.99)",
        ),
        (
            "accounts",
            {"arr": "10000000000000"},
            "accounts.csv:2: arr: '10000000000000': is too large (at most 9999999999999.99)",
        ),
        (
            "accounts",
            {"licensed_seats": "99999999999999999999999"},
            "accounts.csv:2: licensed_seats: '99999999999999999999999': is too large (at most 2147483647)",
        ),
        (
            "usage_daily",
            {"logins": "3000000000"},
            "usage_daily.csv:2: logins: '3000000000': is too large (at most 2147483647)",
        ),
        (
            "usage_daily",
            {"session_minutes": "1e400"},
            "usage_daily.csv:2: session_minutes: '1e400': is too large (at most 1.8e308)",
        ),
        (
            "invoices",
            {"amount": "-1e400"},
            "invoices.csv:2: amount: '-1e400': is too small (at least -9999999999999.99)",
        ),
    ],
)
def test_non_finite_and_out_of_range_numbers_are_refused(store, tmp_path, table, changes, expected):
    folder = build_folder(tmp_path / "bad", with_cell(table, 0, **changes))
    assert expected in refused(store, folder)


def test_the_largest_storable_money_and_count_are_accepted(store, tmp_path):
    folder = build_folder(
        tmp_path / "edge",
        with_cell("accounts", 0, arr="9999999999999.99", licensed_seats="2147483647"),
    )
    assert invoke("import", str(folder)).exit_code == 0
    with store.connect() as connection:
        seats = connection.execute(
            text("SELECT licensed_seats FROM accounts WHERE account_id = 'A1'")
        ).scalar_one()
    assert seats == 2147483647
    session = make_session_factory(store)()
    assert session.get(Account, "A1").arr == Decimal("9999999999999.99")  # to the cent
    session.close()


def _write_bytes_csv(path: Path, header: str, rows: list[bytes]) -> None:
    path.write_bytes(header.encode() + b"\n" + b"".join(row + b"\n" for row in rows))


def test_a_nul_byte_is_refused_in_plain_and_quoted_files(store, tmp_path):
    folder = build_folder(tmp_path / "bad")
    _write_bytes_csv(
        folder / "accounts.csv",
        "account_id,name,industry",
        [b"A1,Acme Corp Inc,Software", b"A2,Globex Corporation,Soft\x00ware"],
    )
    _write_bytes_csv(
        folder / "tickets.csv",
        "ticket_id,account_id,created_at,description",
        [b'T1,A1,2026-10-03T09:15:00Z,"multi\nline \x00 text"'],
    )
    lines = refused(store, folder)
    assert "accounts.csv:3: industry: 'Soft\\x00ware': contains a NUL character" in lines
    assert (
        "tickets.csv:2: description: 'multi\\nline \\x00 text': contains a NUL character" in lines
    )


def _usage_rows(count: int) -> list[bytes]:
    return [f"A1,2020-{1 + n // 28:02d}-{1 + n % 28:02d},{n}".encode() for n in range(count)]


@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quoted"])
def test_a_latin1_byte_names_its_own_line(store, tmp_path, quoted):
    folder = build_folder(tmp_path / "bad")
    rows = _usage_rows(300)
    rows[5] = b"A1,2021-01-01,caf\xe9"  # line 7
    if quoted:
        rows[0] = b'"A1",2020-01-01,1'
    _write_bytes_csv(folder / "usage_daily.csv", "account_id,date,active_users", rows)
    lines = refused(store, folder)
    assert any(line.startswith("usage_daily.csv:7: not UTF-8 text") for line in lines), lines


def test_a_latin1_byte_far_into_a_big_file_names_its_line(store, tmp_path):
    folder = build_folder(tmp_path / "bad")
    rows = [  # 1.3 MB: the bad byte lies beyond the first read block
        f"A1,{2000 + n // 336}-{1 + n // 28 % 12:02d}-{1 + n % 28:02d},{n}".encode()
        for n in range(60_000)
    ]
    rows[54_321] = rows[54_321] + b"\xff"
    _write_bytes_csv(folder / "usage_daily.csv", "account_id,date,active_users", rows)
    lines = refused(store, folder)
    assert any(line.startswith("usage_daily.csv:54323: not UTF-8 text") for line in lines), lines


@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quoted"])
def test_extra_cells_name_their_own_line(store, tmp_path, quoted):
    folder = build_folder(tmp_path / "bad")
    rows = _usage_rows(20)
    rows[8] = rows[8] + b",surplus"  # line 10
    if quoted:
        rows[0] = b'"A1",2020-01-01,1'
    _write_bytes_csv(folder / "usage_daily.csv", "account_id,date,active_users", rows)
    assert "usage_daily.csv:10: has 4 cells but the header has 3" in refused(store, folder)


def test_an_unterminated_quote_gives_one_short_line(store, tmp_path):
    folder = build_folder(tmp_path / "bad")
    rows = [
        f"T{n},A1,2026-10-03T09:15:00Z,ticket number {n} with some words".encode()
        for n in range(1000)
    ]
    rows[3] = b'T3,A1,2026-10-03T09:15:00Z,"this quote never closes'  # line 5
    _write_bytes_csv(folder / "tickets.csv", "ticket_id,account_id,created_at,description", rows)
    lines = refused(store, folder)
    assert (
        "tickets.csv:5: malformed CSV (a quoted cell in the row starting here is never closed)"
        in lines
    )


def test_a_200_kb_quoted_description_is_accepted(store, tmp_path):
    description = 'He said "see below"\n' + "x" * 200_000
    tickets = with_cell("tickets", 0, description=description)
    assert invoke("import", str(build_folder(tmp_path / "big", tickets))).exit_code == 0
    with store.connect() as connection:
        stored = connection.execute(
            text("SELECT description FROM tickets WHERE ticket_id = 'T1'")
        ).scalar_one()
    assert stored == description


@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quoted"])
def test_a_cell_over_the_one_limit_is_refused_quoted_or_not(store, tmp_path, quoted):
    folder = build_folder(tmp_path / "bad")
    huge = "y" * 1_000_001
    cell = f'"{huge}"' if quoted else huge
    (folder / "tickets.csv").write_text(
        f"ticket_id,account_id,created_at,description\nT1,A1,2026-10-03T09:15:00Z,{cell}\n"
    )
    lines = refused(store, folder)
    if quoted:
        assert "tickets.csv:2: a cell is longer than the 1000000-character limit" in lines
    else:
        assert (
            f"tickets.csv:2: description: '{'y' * 60}'… (1000001 characters): "
            "is longer than the 1000000-character cell limit"
        ) in lines


def test_a_symlink_pointing_outside_the_folder_is_refused(store, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    write_csv(outside / "secret.csv", BASE_ROWS["accounts"])
    folder = build_folder(tmp_path / "bad")
    (folder / "accounts.csv").unlink()
    (folder / "accounts.csv").symlink_to(outside / "secret.csv")
    lines = refused(store, folder)
    assert "accounts.csv: symlink: points outside the folder; refused (copy the file in)" in lines


def test_a_symlink_inside_the_folder_is_followed(store, tmp_path):
    folder = build_folder(tmp_path / "ok")
    (folder / "accounts.csv").rename(folder / "accounts-export.txt")
    (folder / "accounts.csv").symlink_to(folder / "accounts-export.txt")
    assert invoke("import", str(folder)).exit_code == 0


def test_jsonl_values_of_the_wrong_type_are_refused(store, tmp_path):
    folder = build_folder(tmp_path / "bad")
    (folder / "nps.csv").unlink()
    write_jsonl(
        folder / "nps.jsonl",
        [
            {"response_id": "N1", "account_id": "A1", "responded_at": "2026-09-20", "score": 9},
            {
                "response_id": "N2",
                "account_id": "A1",
                "responded_at": "2026-09-21",
                "score": 7,
                "comment": {"text": "nested"},
            },
            {"response_id": "N3", "account_id": 17, "responded_at": "2026-09-22", "score": [8]},
            {"response_id": "N4", "account_id": "A1", "responded_at": True, "score": "6"},
        ],
    )
    lines = refused(store, folder)
    assert lines[:4] == [
        'nps.jsonl:2: comment: \'{"text": "nested"}\': must be a JSON string, not an object',
        "nps.jsonl:3: account_id: '17': must be a JSON string, not a number",
        "nps.jsonl:3: score: '[8]': must be a JSON number or string, not an array",
        "nps.jsonl:4: responded_at: 'true': must be a JSON string, not a boolean",
    ]


def test_a_database_refusal_during_the_write_is_one_located_line(store, tmp_path):
    """The store's own rule (here a trigger / CHECK) refuses a row the contract allows."""
    with store.begin() as connection:
        if store.dialect.name == "sqlite":
            connection.execute(
                text(
                    "CREATE TRIGGER no_initech BEFORE INSERT ON accounts "
                    "WHEN NEW.name = 'Initech Holdings' "
                    "BEGIN SELECT RAISE(ABORT, 'no Initech here'); END"
                )
            )
        else:
            connection.execute(
                text(
                    "ALTER TABLE accounts ADD CONSTRAINT no_initech "
                    "CHECK (name <> 'Initech Holdings')"
                )
            )
    rows = copy.deepcopy(BASE_ROWS["accounts"])
    rows.append({"account_id": "A3", "name": "Initech Holdings", "arr": "5"})
    folder = build_folder(tmp_path / "bad", {"accounts": rows})
    lines = refused(store, folder)
    refusal = [line for line in lines if line.startswith("accounts.csv:2: the database refused")]
    assert len(refusal) == 1, lines
    assert refusal[0].startswith("accounts.csv:2: the database refused rows 2-4: ")
    assert "Initech Holdings" not in "\n".join(lines) and "120000" not in "\n".join(lines)


def test_status_still_reads_the_store_after_a_refusal(store, tmp_path):
    folder = build_folder(tmp_path / "bad", with_cell("accounts", 0, arr="1e400"))
    refused(store, folder)
    status = json.loads(invoke("status", "--json").stdout)
    assert status["tables"]["accounts"] == 2
