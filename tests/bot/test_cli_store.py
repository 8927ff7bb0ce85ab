"""`csbot init / import / status / audit tail` through the real CLI."""

from __future__ import annotations

import json

from tests.db.contract_folder import BASE_ROWS, build_folder
from tests.support.cli import invoke


def test_import_then_status_and_audit(tmp_path, monkeypatch):
    folder = build_folder(tmp_path / "contract")
    result = invoke("import", str(folder))
    assert result.exit_code == 0, result.output
    assert "imported" in result.stdout and "usage_daily 28" in result.stdout

    status = json.loads(invoke("status", "--json").stdout)
    assert status["tables"]["accounts"] == 2
    usage = next(s for s in status["sources"] if s["source"] == "usage_daily")
    assert usage["rows"] == 28 and usage["stale"] is False
    assert usage["data_as_of"].startswith("2026-10-28")
    never = next(s for s in status["sources"] if s["source"] == "tickets")
    assert never["last_loaded_at"] is not None

    audit = [json.loads(line) for line in invoke("audit", "tail", "--json").stdout.splitlines()]
    assert audit[0]["action"] == "import" and audit[0]["detail"]["rows"]["accounts"] == 2


def test_stale_sources_are_flagged(tmp_path, monkeypatch):
    assert invoke("import", str(build_folder(tmp_path / "contract"))).exit_code == 0
    monkeypatch.setenv("CSBOT_STALE_AFTER_HOURS", "0.0000001")
    result = invoke("status")
    assert "STALE" in result.stdout


def test_bad_import_exits_1_and_names_the_row(tmp_path):
    rows = [dict(row) for row in BASE_ROWS["accounts"]]
    rows[1]["arr"] = "lots"
    result = invoke("import", str(build_folder(tmp_path / "contract", {"accounts": rows})))
    assert result.exit_code == 1
    assert "accounts.csv:3: arr: 'lots': is not a number" in result.stderr
    assert "nothing was written" in result.stderr
    status = json.loads(invoke("status", "--json").stdout)
    assert status["tables"]["accounts"] == 0


def test_dry_run_writes_nothing(tmp_path):
    result = invoke("import", str(build_folder(tmp_path / "contract")), "--dry-run")
    assert result.exit_code == 0 and "dry run" in result.stdout
    assert json.loads(invoke("status", "--json").stdout)["tables"]["accounts"] == 0
