"""The knowledge jobs through `csbot jobs run`: sentiment stored, nothing embedded twice."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from bot.db.models import TextSentiment, TicketTheme
from bot.db.session import make_engine, make_session_factory
from bot.sources.importer import import_folder
from tests.db.contract_folder import build_folder


def run_job(name: str) -> dict:
    result = CliRunner().invoke(app, ["jobs", "run", name, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_refresh_scores_new_texts_once_and_weekly_rebuild_makes_themes(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'csbot.db'}")
    from bot.db.migrate import upgrade_to_head

    upgrade_to_head(engine)
    import_folder(build_folder(tmp_path / "contract"), engine)

    first = run_job("knowledge_refresh")
    assert first["ok"] and first["summary"]["embedded"] > 0
    session = make_session_factory(engine)()
    scored = {(row.source, row.source_id) for row in session.scalars(select(TextSentiment))}
    assert scored == {("ticket", "T1"), ("nps", "N1")}

    second = run_job("knowledge_refresh")
    assert second["summary"]["embedded"] == 0  # unchanged tickets are never embedded again

    rebuild = run_job("themes_rebuild")
    assert rebuild["summary"]["themes"] >= 1
    assert session.scalars(select(TicketTheme)).first() is not None
    session.close()


def test_dry_run_embeds_nothing(tmp_path):
    preview = CliRunner().invoke(app, ["jobs", "run", "knowledge_refresh", "--dry-run", "--json"])
    assert preview.exit_code == 0, preview.output
    assert "would index" in json.loads(preview.stdout)["summary"]["dry_run"]
