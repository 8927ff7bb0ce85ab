"""CSBOT_HEALTH_CONFIG is validated at start-up, and apply-weights shows before it applies."""

from __future__ import annotations

from datetime import date, timedelta

import yaml

from scoring.config import DEFAULT_CONFIG_PATH
from tests.support.cli import invoke

DEMO_END = date(2026, 11, 21)


def test_a_broken_health_config_fails_at_start_up_naming_the_file_and_field(tmp_path, monkeypatch):
    raw = yaml.safe_load(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    raw["bands"]["yellow_from"] = 90  # above green_from
    bad = tmp_path / "health.yaml"
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.setenv("CSBOT_HEALTH_CONFIG", str(bad))
    result = invoke("score", "--as-of", "2025-06-01")
    assert result.exit_code == 2
    assert "CSBOT_HEALTH_CONFIG" in result.stderr and "yellow_from" in result.stderr


def test_apply_weights_dry_run_changes_nothing_and_apply_writes_a_new_version(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("CSBOT_DATA_DIR", str(tmp_path / "var"))
    target = tmp_path / "team_health.yaml"
    monkeypatch.setenv("CSBOT_HEALTH_CONFIG", str(DEFAULT_CONFIG_PATH))
    assert invoke("demo", "--accounts", "300", "--end-date", DEMO_END.isoformat()).exit_code == 0
    day = (DEMO_END - timedelta(days=60)).isoformat()
    assert invoke("model", "train", "--as-of", day).exit_code == 0
    dry = invoke("model", "apply-weights", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "AUC current" in dry.stdout and "proposed" in dry.stdout and "dry run" in dry.stdout
    assert not target.exists()
    monkeypatch.setenv("CSBOT_HEALTH_CONFIG", str(target))
    target.write_text(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    applied = invoke("model", "apply-weights")
    assert applied.exit_code == 0, applied.output
    written = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert written["version"].startswith("health_v2+weights-")
    scored = invoke("score", "--as-of", day)  # the new version scores (and retrains for itself)
    assert scored.exit_code == 0, scored.output
