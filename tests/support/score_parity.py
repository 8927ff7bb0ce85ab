"""The connectors' acceptance check: a synced store scores like the same data imported as CSV.

Both sides go through the public CLI (`csbot score --out`, `csbot import`); the test keeps
its own assertions on the rows these return.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.support.cli import invoke
from tests.support.databases import database_url, migrated_engine


def scored_rows(out: Path, as_of: str) -> list[dict[str, str]]:
    """``csbot score --as-of AS_OF --out OUT`` on the configured store, as CSV rows."""
    scored = invoke("score", "--as-of", as_of, "--out", str(out))
    assert scored.exit_code == 0, scored.output
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


def scored_rows_of_csv_import(
    folder: Path, *, db_kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_of: str
) -> list[dict[str, str]]:
    """``csbot import FOLDER`` into a second, fresh store of the same kind, then its scores."""
    other = tmp_path / "csv-store"
    other.mkdir()
    with database_url(db_kind, other) as url, migrated_engine(url):
        monkeypatch.setenv("CSBOT_DATABASE_URL", url)
        imported = invoke("import", str(folder))
        assert imported.exit_code == 0, imported.output
        return scored_rows(tmp_path / "imported.csv", as_of)
