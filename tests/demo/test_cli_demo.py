"""`csbot demo` through the real CLI: writes the folder and imports it into SQLite."""

from __future__ import annotations

import json

from bot.sources.demo.writer import MARKER
from tests.support.cli import invoke


def test_demo_writes_and_imports_into_sqlite(tmp_path):
    result = invoke("demo", "--accounts", "60", "--days", "120", "--end-date", "2025-06-30")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "var" / "demo"
    assert (folder / MARKER).exists()
    written = json.loads((folder / MARKER).read_text())["rows"]
    assert "imported" in result.stdout

    status = json.loads(invoke("status", "--json").stdout)
    assert {table: status["tables"][table] for table in written} == written
    usage = next(s for s in status["sources"] if s["source"] == "usage_daily")
    assert usage["data_as_of"].startswith("2025-06-30")
    audit = [json.loads(line) for line in invoke("audit", "tail", "--json").stdout.splitlines()]
    assert audit[0]["action"] == "import" and audit[0]["detail"]["rows"] == written

    again = invoke("demo", "--accounts", "60", "--days", "120", "--end-date", "2025-06-30")
    assert again.exit_code == 0, again.output
    assert json.loads(invoke("status", "--json").stdout)["tables"]["tickets"] == written["tickets"]


def test_no_import_only_writes_files(tmp_path):
    out = tmp_path / "elsewhere"
    result = invoke(
        "demo",
        "--accounts",
        "15",
        "--days",
        "30",
        "--end-date",
        "2025-06-30",
        "--out",
        str(out),
        "--no-import",
        "--seed",
        "9",
    )
    assert result.exit_code == 0, result.output
    assert "csbot import" in result.stdout and (out / "accounts.csv").exists()
    assert json.loads(invoke("status", "--json").stdout)["tables"]["accounts"] == 0


def test_bad_input_gets_one_clear_line(tmp_path):
    bad_date = invoke("demo", "--end-date", "30/06/2025", "--no-import")
    assert bad_date.exit_code == 1
    assert "--end-date: '30/06/2025' is not a date (YYYY-MM-DD)" in bad_date.stderr
    too_long = invoke("demo", "--days", "5000", "--no-import")
    assert too_long.exit_code == 1 and "days must be between" in too_long.stderr
    taken = tmp_path / "exports"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    refused = invoke("demo", "--out", str(taken), "--accounts", "12", "--days", "30")
    assert refused.exit_code == 1 and "did not write" in refused.stderr
    assert [p.name for p in taken.iterdir()] == ["notes.txt"]
