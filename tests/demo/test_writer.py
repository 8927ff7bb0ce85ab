"""The demo folder is swapped in whole, never half-written, never over someone's data."""

from __future__ import annotations

import pytest

from bot.sources.demo import DemoConfig, generate_demo
from bot.sources.demo.writer import MARKER, DemoFolderTaken, FolderWriter
from tests.demo.conftest import END_DATE

TINY = DemoConfig(end_date=END_DATE, accounts=12, days=30, seed=1)


def test_a_previous_demo_folder_is_replaced_whole(tmp_path):
    out = tmp_path / "demo"
    generate_demo(TINY, out)
    (out / "stray.csv").write_text("left over from an older run\n")
    summary = generate_demo(DemoConfig(end_date=END_DATE, accounts=15, days=30, seed=1), out)
    assert not (out / "stray.csv").exists()
    assert summary.rows["accounts"] == 15
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"], "no staging folder left"


def test_a_folder_with_foreign_files_is_refused_and_untouched(tmp_path):
    out = tmp_path / "exports"
    out.mkdir()
    (out / "accounts.csv").write_text("account_id,name\nA1,Real Customer\n")
    with pytest.raises(DemoFolderTaken, match="did not write"):
        generate_demo(TINY, out)
    assert (out / "accounts.csv").read_text() == "account_id,name\nA1,Real Customer\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exports"]


def test_a_failure_while_writing_keeps_the_previous_folder(tmp_path):
    out = tmp_path / "demo"
    generate_demo(TINY, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(RuntimeError), FolderWriter(out) as writer:
        writer.add("csms", ["csm-x", "Half Written", None, None, "csm", None, None])
        raise RuntimeError("generation crashed")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert (out / MARKER).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]
