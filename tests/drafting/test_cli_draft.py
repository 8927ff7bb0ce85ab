"""`csbot draft email|summary` through the real CLI."""

from __future__ import annotations

import json

import pytest

from tests.drafting.store import ACCOUNT_ID, DECISION_MAKER_EMAIL
from tests.support.cli import invoke
from tests.support.fake_openai import FakeOpenAI, json_reply


@pytest.fixture
def store_env(seeded_sqlite_services, monkeypatch: pytest.MonkeyPatch):
    url = seeded_sqlite_services.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("CSBOT_DATABASE_URL", url)
    return seeded_sqlite_services


def test_email_json_has_the_agreed_shape(store_env):
    result = invoke(
        "draft",
        "email",
        "Acme Robotics",
        "--purpose",
        "renewal",
        "--tone",
        "formal",
        "--json",
        "--as-of",
        "2026-05-15",
    )

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"subject", "body", "facts", "grounding", "model"} <= set(data)
    assert data["grounding"] == {"verified": True, "unsupported": []}
    assert data["model"] == "template" and data["to"]["email"] == DECISION_MAKER_EMAIL
    assert data["subject"] == "Your Acme Robotics Inc renewal on June 30, 2026"
    assert data["body"].startswith("Dear Omar Haddad,")
    arr = next(fact for fact in data["facts"] if fact["key"] == "renewal.arr")
    assert arr == {
        "key": "renewal.arr",
        "category": "renewal",
        "text": "Contract ARR is $120,000.",
        "source": "contracts",
        "as_of": "2026-05-14",
    }


def test_summary_prints_a_readable_brief(store_env):
    result = invoke("draft", "summary", ACCOUNT_ID, "--as-of", "2026-05-15")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Summary for Acme Robotics Inc (template)")
    assert "Subject: Account brief: Acme Robotics Inc" in result.stdout
    assert "*Next steps*" in result.stdout
    assert "Grounding: all" in result.stdout and "claims match the store." in result.stdout
    assert "Note: Template draft: no language model is configured." in result.stdout


def test_with_an_llm_configured_the_model_writes_and_is_named(
    store_env, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("CSBOT_LLM_MODEL", "fake-gpt")
    fake_openai.script(
        json_reply("Quick check-in", "Hi Sarah,\n\nHow are things going?\n\nBest,\nJane Doe"),
        json_reply("Quick check-in", "Hi Sarah,\n\nYour ARR is $999,999.\n\nBest,\nJane Doe"),
        json_reply("Quick check-in", "Hi Sarah,\n\nYour ARR is $999,999.\n\nBest,\nJane Doe"),
    )

    clean = invoke("draft", "email", ACCOUNT_ID, "--json", "--as-of", "2026-05-15")
    flagged = invoke("draft", "email", ACCOUNT_ID, "--as-of", "2026-05-15")

    assert clean.exit_code == 0, clean.output
    assert json.loads(clean.stdout)["model"] == "fake-gpt"
    assert flagged.exit_code == 0, flagged.output
    assert "[unverified: $999,999]" in flagged.stdout
    assert "Grounding: NOT VERIFIED — unsupported: $999,999" in flagged.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--purpose", "upsell"], 2, "unknown purpose 'upsell'; choose one of renewal, risk"),
        (["--tone", "angry"], 2, "unknown tone 'angry'; choose one of friendly, formal, urgent"),
        (["--as-of", "soon"], 2, "--as-of: 'soon' is not a date (expected YYYY-MM-DD)"),
    ],
)
def test_bad_options_say_what_is_wrong(store_env, args, code, message):
    result = invoke("draft", "email", ACCOUNT_ID, *args)

    assert result.exit_code == code and message in result.stderr


def test_unknown_and_ambiguous_accounts_exit_1_with_help(store_env):
    missing = invoke("draft", "summary", "acme rob")
    ambiguous = invoke("draft", "email", "acme")

    assert missing.exit_code == 1
    assert "No account named “acme rob” — did you mean Acme Robotics Inc?" in missing.stderr
    assert ambiguous.exit_code == 1
    assert "use one of: Acme Logistics (ACC-2); Acme Robotics Inc (ACC-1)" in ambiguous.stderr
