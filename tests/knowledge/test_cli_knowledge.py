"""The knowledge commands through the real CLI, on a small imported store and the real model."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.db.session import make_engine
from bot.sources.importer import import_folder
from tests.knowledge.store import build_knowledge_folder

runner = CliRunner()
pytestmark = pytest.mark.slow


def invoke(*args: str):
    from bot.cli.context import cli_services, cli_settings

    cli_settings.cache_clear()
    cli_services.cache_clear()
    return runner.invoke(app, list(args))


@pytest.fixture
def imported(tmp_path, monkeypatch, minilm):
    """A SQLite store with the tiny contract folder; the model is already warm."""
    url = f"sqlite:///{(tmp_path / 'var' / 'csbot.db').as_posix()}"
    monkeypatch.setenv("CSBOT_DATABASE_URL", url)
    assert invoke("init").exit_code == 0
    engine = make_engine(url)
    import_folder(build_knowledge_folder(tmp_path / "contract"), engine)
    engine.dispose()
    return tmp_path


def test_reindex_suggest_and_themes(imported):
    first = invoke("knowledge", "reindex", "--json")
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["tickets_indexed"] == 10 and report["embedded"] > 10
    assert report["sentiment"]["tickets_scored"] == 10

    second = json.loads(invoke("knowledge", "reindex", "--json").stdout)
    assert second["embedded"] == 0 and second["tickets_indexed"] == 10

    result = invoke(
        "playbooks", "suggest", "Their card was declined and the invoice is overdue", "--json"
    )
    assert result.exit_code == 0, result.output
    suggestions = json.loads(result.stdout)
    assert [s["playbook"] for s in suggestions][0] == "payment-failure"
    assert len(suggestions) == 3 and suggestions[0]["score"] >= suggestions[1]["score"]
    assert {"number", "text", "timing", "owner", "channel"} <= set(suggestions[0]["steps"][0])

    lines = imported / "situations.txt"
    lines.write_text("We want to cancel our contract\n\nNPS 2: support never answers\n")
    batch = invoke("playbooks", "suggest", "--file", str(lines), "--json", "-k", "2")
    outputs = [json.loads(line) for line in batch.stdout.splitlines()]
    assert [out[0]["playbook"] for out in outputs] == ["cancellation-save", "nps-detractor"]
    assert all(len(out) == 2 for out in outputs)

    with_account = json.loads(
        invoke(
            "playbooks", "suggest", "what should I do?", "--account", "acme corp", "--json"
        ).stdout
    )
    assert with_account[0]["matched_signals"]

    themes = invoke("tickets", "themes", "--account", "A1", "--json")
    assert themes.exit_code == 0, themes.output
    stored = json.loads(themes.stdout)
    assert sum(theme["size"] for theme in stored) == 6
    assert all(theme["label"] and theme["examples"] for theme in stored)
    text = invoke("tickets", "themes", "--account", "Acme Corp")
    assert "themes in account:A1" in text.stdout and "negative" in text.stdout


def test_unknown_account_and_bad_playbook_folder_fail_clearly(imported, tmp_path):
    result = invoke("playbooks", "suggest", "help", "--account", "Acme Crop")
    assert result.exit_code == 1
    assert "No account named “Acme Crop” — did you mean Acme Corp?" in result.stderr

    team = tmp_path / "team"
    team.mkdir()
    (team / "renewal.md").write_text("---\nid: renewal\ntitle: Renewal\n---\n## Steps\n")
    bad = invoke("playbooks", "validate", str(team))
    assert bad.exit_code == 1
    assert (
        "renewal.md: missing required field(s): triggers, cta_type, priority, segments"
        in bad.stderr
    )
    assert invoke("playbooks", "validate").stdout.strip() == "12 playbooks OK"


def test_team_playbook_folder_from_the_environment(tmp_path, monkeypatch):
    from tests.knowledge.test_playbooks_loader import GOOD

    team = tmp_path / "team"
    team.mkdir()
    (team / "security-review.md").write_text(GOOD.format(id="security-review"))
    monkeypatch.setenv("CSBOT_PLAYBOOKS_DIR", str(team))
    listed = json.loads(invoke("playbooks", "list", "--json").stdout)
    assert [p["id"] for p in listed][-1] == "security-review" and len(listed) == 13
    shown = invoke("playbooks", "show", "security-review")
    assert "2. Book a call with our security lead" in shown.stdout
    assert "within 1 week · security lead · video call" in shown.stdout
