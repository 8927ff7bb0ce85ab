"""`csbot score / model / health` through the real CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from bot.db.models import AuditLog, HealthOverride, HealthScore
from bot.db.session import make_session_factory, unit_of_work
from scoring.config import load_health_config
from tests.scoring.store import seed_renewal_history, seed_small_portfolio

runner = CliRunner()


def invoke(*args: str):
    from bot.cli.context import cli_services, cli_settings

    cli_settings.cache_clear()
    cli_services.cache_clear()
    return runner.invoke(app, list(args))


@pytest.fixture
def store(engine, monkeypatch):
    monkeypatch.setenv("CSBOT_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return make_session_factory(engine)


def test_score_writes_one_row_per_active_account_and_stores_snapshots(store, tmp_path):
    with unit_of_work(store) as session:
        seed_small_portfolio(session)
    out = tmp_path / "scores.csv"
    result = invoke("score", "--as-of", "2025-06-01", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "no churn model" in result.stderr  # too little history: said clearly, not hidden
    with out.open() as handle:
        rows = {row["account_id"]: row for row in csv.DictReader(handle)}
    assert list(next(iter(rows.values()))) == [
        "account_id",
        "health",
        "band",
        "churn_risk",
        "expansion",
        "stage",
        "top_drivers",
    ]
    assert set(rows) == {"HEALTHY", "SLIDING", "BARE"}
    assert rows["HEALTHY"]["band"] == "green" and rows["SLIDING"]["band"] == "red"
    assert rows["SLIDING"]["stage"] == "at-risk"
    assert rows["BARE"]["health"] == "50" and "no usage" in rows["BARE"]["top_drivers"]
    assert rows["SLIDING"]["churn_risk"] == ""

    with unit_of_work(store) as session:
        snapshot = session.get(HealthScore, ("SLIDING", date(2025, 6, 1)))
        assert snapshot is not None and snapshot.config_version == load_health_config().version
        assert set(snapshot.components) == {
            "usage",
            "relationship",
            "support",
            "financial",
            "survey",
        }
        usage = snapshot.components["usage"]
        assert usage["weight"] == 0.3 and usage["measures"]["active_users_trend"] == pytest.approx(
            -0.42
        )
        assert snapshot.drivers[0].keys() >= {"text", "component", "measure", "direction", "value"}
        bare = session.get(HealthScore, ("BARE", date(2025, 6, 1)))
        assert bare.missing_components == [
            "usage",
            "relationship",
            "support",
            "financial",
            "survey",
        ]
        actions = session.scalars(select(AuditLog.action)).all()
        assert "health.score" in actions

    # Re-scoring the same day replaces, never duplicates.
    assert invoke("score", "--as-of", "2025-06-01").exit_code == 0
    with unit_of_work(store) as session:
        assert len(session.scalars(select(HealthScore)).all()) == 3


def test_override_is_stored_audited_and_shown_beside_the_computed_score(store):
    with unit_of_work(store) as session:
        seed_small_portfolio(session)
    assert invoke("score", "--as-of", "2025-06-01").exit_code == 0
    result = invoke(
        "health",
        "override",
        "SLIDING",
        "yellow",
        "--reason",
        "exec sponsor signed off",
        "--until",
        "2099-12-31",
    )
    assert result.exit_code == 0, result.output
    with unit_of_work(store) as session:
        override = session.scalars(select(HealthOverride)).one()
        assert (override.band, override.reason) == ("yellow", "exec sponsor signed off")
        audit = session.scalars(select(AuditLog).where(AuditLog.action == "health.override")).one()
        assert audit.target == "SLIDING" and audit.detail["until"] == "2099-12-31"
    with unit_of_work(store) as session:
        computed = session.get(HealthScore, ("SLIDING", date(2025, 6, 1)))
        assert computed.band == "red"  # the override sits beside the score, never overwrites it
    shown = invoke("health", "show", "SLIDING")
    assert shown.exit_code == 0, shown.output
    assert "CSM override: yellow until 2099-12-31" in shown.stdout
    assert f"(computed score {computed.score:.1f} red)" in shown.stdout
    assert "active users down 42% vs the prior 30 days" in shown.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("NOPE", "red"), "No account named “NOPE”"),
        (("SLIDING", "purple"), "band must be one of red, yellow, green"),
    ],
)
def test_override_refuses_bad_input_clearly(store, args, message):
    with unit_of_work(store) as session:
        seed_small_portfolio(session)
    result = invoke("health", "override", *args, "--reason", "why", "--until", "2099-01-01")
    assert result.exit_code == 1 and message in result.stderr
    with unit_of_work(store) as session:
        assert session.scalars(select(HealthOverride)).all() == []


def test_override_until_in_the_past_is_refused(store):
    with unit_of_work(store) as session:
        seed_small_portfolio(session)
    result = invoke(
        "health", "override", "SLIDING", "red", "--reason", "x", "--until", "2001-01-01"
    )
    assert result.exit_code == 1 and "is in the past" in result.stderr


def test_changes_between_two_days_name_the_component_moves(store):
    with unit_of_work(store) as session:
        seed_small_portfolio(session)
    assert invoke("score", "--as-of", "2025-06-01").exit_code == 0
    assert invoke("score", "--as-of", "2025-06-08").exit_code == 0
    result = invoke("health", "changes", "SLIDING", "--from", "2025-06-01", "--to", "2025-06-08")
    assert result.exit_code == 0, result.output
    with unit_of_work(store) as session:
        before = session.get(HealthScore, ("SLIDING", date(2025, 6, 1))).score
        after = session.get(HealthScore, ("SLIDING", date(2025, 6, 8))).score
    assert result.stdout.splitlines()[0] == (
        f"health {before:.1f} → {after:.1f} ({after - before:+.1f}) from 2025-06-01 to 2025-06-08"
    )
    assert "survey 0.0 → 100.0 (+100.0)" in result.stdout  # the NPS 10 on June 3


def test_score_trains_a_model_when_history_allows_and_report_reads_it(store, tmp_path):
    with unit_of_work(store) as session:
        seed_renewal_history(session, accounts=120)
    out = tmp_path / "scores.csv"
    result = invoke("score", "--as-of", "2025-06-01", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "trained just now" in result.stderr
    with out.open() as handle:
        risks = [float(row["churn_risk"]) for row in csv.DictReader(handle)]
    assert risks and all(0.0 <= risk <= 1.0 for risk in risks)
    again = invoke("score", "--as-of", "2025-06-01")
    assert again.exit_code == 0 and "churn model" in again.stderr and " trained 20" in again.stderr
    report = json.loads(invoke("model", "report", "--json").stdout)
    assert {split["name"] for split in report["splits"]} == {"train", "calibration", "test"}
    assert report["model_test"]["count"] == report["splits"][2]["count"]
    text = invoke("model", "report").stdout
    for label in ("AUC", "F1", "precision, riskiest 10%", "Brier score", "Calibration", "proposed"):
        assert label in text


def test_seven_and_thirty_day_deltas_compare_with_older_snapshots(store):
    from bot.db.health_snapshots import snapshot_deltas

    with unit_of_work(store) as session:
        seed_small_portfolio(session)
    for day in ("2025-05-01", "2025-05-25", "2025-06-01"):
        assert invoke("score", "--as-of", day).exit_code == 0
    with unit_of_work(store) as session:
        scores = {
            (row.account_id, row.as_of.isoformat()): row.score
            for row in session.scalars(select(HealthScore))
        }
        deltas = snapshot_deltas(session=session, as_of=date(2025, 6, 1)).set_index("account_id")
    sliding = deltas.loc["SLIDING"]
    now = scores[("SLIDING", "2025-06-01")]
    assert sliding["delta_7d"] == pytest.approx(round(now - scores[("SLIDING", "2025-05-25")], 1))
    assert sliding["delta_30d"] == pytest.approx(round(now - scores[("SLIDING", "2025-05-01")], 1))
    shown = invoke("health", "show", "SLIDING").stdout
    assert f"7d {sliding['delta_7d']:+.1f}, 30d {sliding['delta_30d']:+.1f}" in shown


def test_score_on_an_empty_store_and_an_accounts_only_store(store, tmp_path):
    out = tmp_path / "empty.csv"
    result = invoke("score", "--as-of", "2025-06-01", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (
        out.read_text().strip() == "account_id,health,band,churn_risk,expansion,stage,top_drivers"
    )

    from tests.scoring.store import add_account, add_csm

    with unit_of_work(store) as session:
        add_csm(session)
        add_account(session, "ONLY", seats=None)
    result = invoke("score", "--as-of", "2025-06-01", "--out", str(out))
    assert result.exit_code == 0, result.output
    with out.open() as handle:
        [row] = list(csv.DictReader(handle))
    assert row["account_id"] == "ONLY" and row["health"] == "50" and row["band"] == "yellow"


def test_bad_as_of_is_refused_naming_the_option(store):
    result = invoke("score", "--as-of", "yesterday")
    assert result.exit_code == 1
    assert "--as-of: 'yesterday' is not a date (expected YYYY-MM-DD)" in result.stderr


def test_health_commands_take_a_name_the_way_the_assistant_does(store):
    with unit_of_work(store) as session:
        seed_small_portfolio(session)
    assert invoke("score", "--as-of", "2025-06-01").exit_code == 0
    shown = invoke("health", "show", "sliding")  # part of the name, lower case, no suffix
    assert shown.exit_code == 0, shown.output
    assert "SLIDING Corp (SLIDING)" in shown.stdout
