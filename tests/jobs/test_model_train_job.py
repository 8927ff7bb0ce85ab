"""`csbot jobs run model_train`: the weekly retrain through the real CLI and store."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from bot.db.models import AuditLog
from bot.db.session import make_engine, make_session_factory, unit_of_work
from scoring.artifacts import MODEL_FILENAME, read_model_metadata
from tests.scoring.store import AS_OF, seed_renewal_history

NOW = f"{AS_OF.isoformat()}T05:00:00+00:00"


def invoke(*args: str):
    from bot.cli.context import cli_services, cli_settings

    cli_settings.cache_clear()
    cli_services.cache_clear()
    return CliRunner().invoke(app, list(args))


def _history_store(tmp_path, monkeypatch, *, accounts: int):
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    monkeypatch.setenv("CSBOT_DATABASE_URL", url)
    assert invoke("init").exit_code == 0
    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as session:
        counts = seed_renewal_history(session, accounts=accounts)
    return engine, counts


def _audited_trainings(engine) -> list[str]:
    with unit_of_work(make_session_factory(engine)) as session:
        rows = session.scalars(select(AuditLog).where(AuditLog.action == "model.train")).all()
        return [row.actor for row in rows]


def test_model_train_retrains_on_the_newest_outcomes_and_a_dry_run_trains_nothing(
    tmp_path, monkeypatch
):
    engine, counts = _history_store(tmp_path, monkeypatch, accounts=120)
    models = tmp_path / "var" / "models"

    dry = invoke("jobs", "run", "model_train", "--dry-run", "--json", "--now", NOW)
    assert dry.exit_code == 0, dry.output
    preview = json.loads(dry.stdout)
    assert preview["ok"] and preview["dry_run"]
    summary = preview["summary"]
    assert summary["trained"] is False and summary["current_model"] is None
    assert summary["would_train_on"] == {
        "outcomes": counts["churned"] + counts["renewed"],
        "churned": counts["churned"],
    }
    assert not (models / MODEL_FILENAME).exists()  # nothing trained, nothing saved
    assert _audited_trainings(engine) == []

    run = invoke("jobs", "run", "model_train", "--json", "--now", NOW)
    assert run.exit_code == 0, run.output
    result = json.loads(run.stdout)
    assert result["ok"] and not result["dry_run"], result
    trained = result["summary"]
    assert trained["trained"] is True and trained["previous_model"] is None
    assert trained["outcomes"] == counts["churned"] + counts["renewed"]
    saved = read_model_metadata(models)
    assert saved is not None and saved["data_as_of"] == AS_OF.isoformat()
    assert trained["chosen"] == saved["kind"]
    assert trained["test_auc"] == saved["report"]["model_test"]["auc"] > 0.7
    assert _audited_trainings(engine) == ["job:model_train"]

    again = json.loads(invoke("jobs", "run", "model_train", "--json", "--now", NOW).stdout)
    # the second run names the model it replaced: the one trained above
    assert again["summary"]["previous_model"]["trained_at"] == saved["report"]["trained_at"]
    assert again["summary"]["previous_model"]["test_auc"] == trained["test_auc"]
    engine.dispose()


def test_too_little_history_is_reported_and_keeps_the_saved_model(tmp_path, monkeypatch):
    engine, _counts = _history_store(tmp_path, monkeypatch, accounts=12)
    result = json.loads(invoke("jobs", "run", "model_train", "--json", "--now", NOW).stdout)
    assert result["ok"], result
    assert result["summary"]["trained"] is False
    assert "at least 40 are needed" in result["summary"]["reason"]
    assert read_model_metadata(tmp_path / "var" / "models") is None
    assert _audited_trainings(engine) == []
    engine.dispose()
