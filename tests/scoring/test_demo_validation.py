"""Validation on the demo world: the churn signals it plants must be found, honestly.

The demo generator writes a churn history whose signals precede churn; the churn
model (held-out, time-ordered) must reach AUC 0.80 and the rule-based health 0.75.
Runs through the real generator, importer, SQL aggregates, training and CLI report.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from bot.cli import app

DEMO_END = date(2026, 11, 21)
runner = CliRunner()


def invoke(*args: str):
    from bot.cli.context import cli_services, cli_settings

    cli_settings.cache_clear()
    cli_services.cache_clear()
    return runner.invoke(app, list(args))


@pytest.fixture
def demo_store(sqlite_engine, tmp_path, monkeypatch):
    generator = pytest.importorskip(
        "bot.sources.demo.generator", reason="demo generator not in the tree"
    )
    from bot.sources.demo.world import DemoConfig
    from bot.sources.importer import import_folder

    folder = tmp_path / "demo"
    generator.generate_demo(DemoConfig(end_date=DEMO_END, accounts=1000, days=365, seed=42), folder)
    import_folder(folder, sqlite_engine)
    monkeypatch.setenv(
        "CSBOT_DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False)
    )
    return sqlite_engine


@pytest.mark.slow
def test_churn_model_and_rule_health_find_the_demo_churn_on_held_out_history(demo_store):
    trained = invoke("model", "train", "--as-of", (DEMO_END.replace(day=22)).isoformat())
    assert trained.exit_code == 0, trained.output
    report = json.loads(invoke("model", "report", "--json").stdout)
    test_split = report["splits"][2]
    train_split = report["splits"][0]
    assert (
        test_split["name"] == "test" and test_split["first_outcome"] >= train_split["last_outcome"]
    )
    assert report["model_test"]["count"] == test_split["count"] >= 100
    assert report["model_test"]["auc"] >= 0.80, report["model_test"]
    assert report["rule_test"]["auc"] >= 0.75, report["rule_test"]
    printed = invoke("model", "report").stdout
    assert (
        f"{report['model_test']['auc']:.3f}" in printed
        and f"{report['rule_test']['auc']:.3f}" in printed
    )

    scored = invoke("score", "--as-of", DEMO_END.replace(day=22).isoformat(), "--out", "scores.csv")
    assert scored.exit_code == 0, scored.output
    assert (
        "churn model logistic_regression" in scored.stderr
        or "churn model gradient" in scored.stderr
    )
