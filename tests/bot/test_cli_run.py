"""`csbot run` (what `make run` starts) on a fresh machine: demo data, first scores, chat."""

from __future__ import annotations

import json
import re

from bot.cli.run import BACKFILL_DAYS_AGO
from tests.support.cli import invoke


def test_fresh_store_gets_demo_data_history_and_the_terminal_chat(monkeypatch):
    monkeypatch.setenv("CSBOT_EMBEDDER", "hashing")  # the job code, without MiniLM's load
    result = invoke("run", input="how is acme doing?\nquit\n")
    assert result.exit_code == 0, result.output
    assert "generating demo data" in result.stdout
    assert "knowledge_refresh: done" in result.stdout and "themes_rebuild: done" in result.stdout
    assert "csbot chat as" in result.stdout
    assert "Acme Corp Inc" in result.stdout and "Renewal" in result.stdout

    status = json.loads(invoke("status", "--json").stdout)
    assert status["tables"]["accounts"] > 0
    audit = [
        json.loads(line)
        for line in invoke("audit", "tail", "-n", "50", "--json").stdout.splitlines()
    ]
    score_days = {entry["target"] for entry in audit if entry["action"] == "health.score"}
    assert len(score_days) == len(BACKFILL_DAYS_AGO)
    # The CTA rules ran once on the first scores: "what should I do?" has work to show.
    opened = re.search(r"cta_rules: (\d+) CTAs opened for (\d+) accounts", result.stdout)
    assert opened and int(opened.group(1)) > 0, result.stdout
    work = invoke("ask", "what should I do about globex?")
    assert work.exit_code == 0, work.output
    assert "No open CTAs" not in work.stdout and "Open CTAs (1" in work.stdout
    # The first themes question reads what the first start stored: nothing is grouped now.
    themes = invoke("ask", "what are acme's users complaining about?")
    assert themes.exit_code == 0, themes.output
    assert "Ticket themes: Acme Corp Inc" in themes.stdout
    assert "grouped just now" not in themes.stdout
    everyone = invoke("ask", "what are customers complaining about?").stdout
    assert re.search(r"^• 1\. Churn intent: ", everyone, flags=re.MULTILINE), everyone

    again = invoke("run", input="quit\n")  # a second start reuses the store
    assert again.exit_code == 0
    assert "generating demo data" not in again.stdout and "scored" not in again.stdout
    assert "themes_rebuild" not in again.stdout and "cta_rules" not in again.stdout


def test_no_demo_on_empty_store_is_a_clear_error():
    result = invoke("run", "--no-demo")
    assert result.exit_code == 1
    assert "the store is empty" in result.stderr


def test_with_slack_tokens_run_serves_socket_mode_on_the_demo_data(fake_slack, tmp_path):
    """`make run` with SLACK_BOT_TOKEN and SLACK_APP_TOKEN: demo data, then Socket Mode."""
    import os
    import signal
    import subprocess

    from tests.bot.test_main import CSBOT, REPO
    from tests.support.slack_requests import event_payload, message_event
    from tests.support.slack_socket_mode import send_envelope, wait_for_ack

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CSBOT_"))}
    env.update(
        SLACK_BOT_TOKEN=fake_slack.bot_token,
        SLACK_APP_TOKEN=fake_slack.app_token,
        SLACK_API_URL=fake_slack.base_url,
        CSBOT_DATA_DIR=str(tmp_path / "var"),
        CSBOT_EMBEDDER="hashing",  # first-start themes and the warm-up without MiniLM's load
    )
    process = subprocess.Popen(
        [CSBOT, "run"],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        demo_admin = "U0CSM0011"
        event = event_payload(message_event("how is acme doing?", user=demo_admin)).json()
        envelope_id = send_envelope(fake_slack, "events_api", event, timeout=120)
        wait_for_ack(fake_slack, envelope_id)
        [answer] = fake_slack.wait_for("chat.postMessage", timeout=30)
        assert "Acme Corp Inc" in answer["text"]
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr[-2000:]
    assert "generating demo data" in stdout and "csbot chat" not in stdout
    assert "themes_rebuild: done" in stdout
    assert "knowledge warm" in stderr  # serve loaded the model in the background
