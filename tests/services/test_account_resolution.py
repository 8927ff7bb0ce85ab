"""Finding the right account on realistic names (issue 14), through `csbot ask` and Slack.

The world is the realistic-names generator's, written as a contract folder and
loaded with the real importer; expected accounts are read from that world, never
retyped. Owners of the issue's examples are pinned by the generator:
"Zephyr Biotech Group" is RW-C01's (East), "Zephyr Biotech Co" RW-C07's (West).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.sources.demo.realistic_names import (
    Company,
    RealisticWorld,
    build_realistic_world,
    write_realistic_folder,
)
from bot.sources.importer import import_folder
from tests.support.cli import invoke
from tests.support.slack_api import FakeSlackApi
from tests.support.slack_fixtures import SlackHarness, build_harness

WORLD = build_realistic_world()


def company(name: str) -> Company:
    return next(c for c in WORLD.companies if c.name == name)


def owner_slack(name: str) -> str:
    return WORLD.person(company(name).csm_id).slack_user_id


def load(world: RealisticWorld, engine: Engine, tmp_path: Path) -> None:
    import_folder(write_realistic_folder(tmp_path / "contract", world), engine)


@pytest.fixture
def realistic(sqlite_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    load(WORLD, sqlite_engine, tmp_path)
    monkeypatch.setenv("CSBOT_DATABASE_URL", sqlite_engine.url.render_as_string(False))
    monkeypatch.setenv("CSBOT_DATA_DIR", str(tmp_path / "var"))
    return monkeypatch


def ask(question: str, who: str) -> dict:
    result = invoke("ask", question, "--as", who, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def heading(payload: dict) -> str:
    return payload["blocks"][0]["text"]["text"]


def test_the_generated_world_has_the_issues_awkward_names() -> None:
    names = {c.name for c in WORLD.companies}
    assert len(WORLD.companies) == 400 and len(WORLD.csms) >= 8
    assert {"Atlas Insurance Corp", "Zephyr Biotech Group", "Zephyr Biotech Co"} <= names
    assert {"Summit Health", "Summit Logistics"} <= names
    assert build_realistic_world().companies == WORLD.companies  # deterministic


@pytest.mark.parametrize("visibility", ["all", "own"])
def test_an_exact_legal_name_wins_outright_for_owner_and_manager(
    realistic: pytest.MonkeyPatch, visibility: str
) -> None:
    realistic.setenv("CSBOT_VISIBILITY", visibility)
    for name in ("Atlas Insurance Corp", "Zephyr Biotech Group", "Zephyr Biotech Co"):
        owner = WORLD.person(company(name).csm_id)
        for who in (owner.slack_user_id, WORLD.person(owner.manager_id or "").slack_user_id):
            assert heading(ask(f"how is {name} doing?", who)) == name


def test_a_short_name_shared_by_two_books_goes_to_the_askers_own(
    realistic: pytest.MonkeyPatch,
) -> None:
    realistic.setenv("CSBOT_VISIBILITY", "all")
    group_owner, co_owner = owner_slack("Zephyr Biotech Group"), owner_slack("Zephyr Biotech Co")

    assert "Zephyr Biotech Group" in ask("why did zephyr biotech drop?", group_owner)["text"]
    assert "Zephyr Biotech Co" in ask("why did zephyr biotech drop?", co_owner)["text"]
    admin = ask("why did zephyr biotech drop?", "URWADMIN")  # runs no book: must choose
    assert "which one did you mean" in admin["text"]
    assert "Zephyr Biotech Group" in admin["text"] and "Zephyr Biotech Co" in admin["text"]


def test_industry_words_are_part_of_the_name(realistic: pytest.MonkeyPatch) -> None:
    realistic.setenv("CSBOT_VISIBILITY", "all")
    assert heading(ask("how is summit health doing?", "URWADMIN")) == "Summit Health"
    assert heading(ask("how is summit logistics doing?", "URWADMIN")) == "Summit Logistics"


def test_account_ids_and_domains_name_the_account(realistic: pytest.MonkeyPatch) -> None:
    realistic.setenv("CSBOT_VISIBILITY", "all")
    atlas = company("Atlas Insurance Corp")
    assert heading(ask(f"how is {atlas.account_id} doing?", "URWADMIN")) == atlas.name
    assert heading(ask(f"how is {atlas.account_id.lower()} doing?", "URWADMIN")) == atlas.name
    assert heading(ask(f"how is {atlas.domain} doing?", "URWADMIN")) == atlas.name


def test_with_own_visibility_a_csm_finds_their_account_by_short_name_and_never_another(
    realistic: pytest.MonkeyPatch,
) -> None:
    realistic.setenv("CSBOT_VISIBILITY", "own")
    mine = ask("why did zephyr biotech drop?", owner_slack("Zephyr Biotech Group"))
    assert "Zephyr Biotech Group" in mine["text"] and "Zephyr Biotech Co" not in mine["text"]

    stranger = owner_slack("Summit Logistics")  # owns neither Zephyr Biotech
    hidden = ask("how is zephyr biotech group doing?", stranger)
    invented = ask("how is zephyr biotech plc doing?", stranger)
    assert "Zephyr Biotech Group" not in hidden["text"]
    # No hint: a hidden account is answered exactly like a name that does not exist.
    assert hidden["text"].replace("group", "plc") == invented["text"]


def test_commands_that_need_one_account_agree_with_the_assistant(
    realistic: pytest.MonkeyPatch,
) -> None:
    atlas = company("Atlas Insurance Corp")
    for said in ("atlas insurance", atlas.account_id.lower(), atlas.domain):
        result = invoke("tickets", "themes", "--account", said)
        assert result.exit_code == 0, result.output
        assert f"account:{atlas.account_id}" in result.stdout
        health = invoke("health", "show", said)  # the same account (not scored yet here)
        assert f"{atlas.name} has not been scored yet" in health.stderr, health.output
    for command in (["tickets", "themes", "--account"], ["health", "show"]):
        twins = invoke(*command, "zephyr biotech")
        assert twins.exit_code != 0
        assert "matches several accounts: Zephyr Biotech Co, Zephyr Biotech Group" in twins.stderr


def test_a_signed_slack_question_resolves_the_same_way(
    fake_slack: FakeSlackApi, tmp_path: Path, sqlite_engine: Engine
) -> None:
    harness: SlackHarness = build_harness(
        fake_slack, tmp_path, sqlite_engine, CSBOT_VISIBILITY="own"
    )
    load(WORLD, sqlite_engine, tmp_path)
    owner = owner_slack("Zephyr Biotech Co")

    harness.dm("why did zephyr biotech drop?", user=owner)
    harness.dm("how is Atlas Insurance Corp doing?", user=owner_slack("Atlas Insurance Corp"))
    harness.dm("summit health", user=owner_slack("Summit Health"))

    replies = [str(r.get("text") or "") for r in fake_slack.calls("chat.postMessage")]
    assert "Zephyr Biotech Co" in replies[0] and "Zephyr Biotech Group" not in replies[0]
    assert "Atlas Insurance Corp" in replies[1]
    assert "Summit Health" in replies[2] and "Summit Logistics" not in replies[2]


def test_no_hidden_account_is_ever_answered_swapped_or_hinted(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    """Every account outside a CSM's book, by exact legal name, id and domain (own visibility)."""
    from bot.db.session import make_session_factory
    from bot.services import Services
    from bot.services.answers.pipeline import Question, answer_question
    from tests.conftest import make_settings
    from tests.services.qa_world import NOW

    load(WORLD, sqlite_engine, tmp_path)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    services = Services(
        settings=make_settings(tmp_path, url, CSBOT_VISIBILITY="own"),
        engine=sqlite_engine,
        session_factory=make_session_factory(sqlite_engine),
    )
    asker = WORLD.person(company("Zephyr Biotech Group").csm_id)
    hidden = [c for c in WORLD.companies if c.csm_id != asker.csm_id]
    for hidden_company in hidden:
        for said in (hidden_company.name, hidden_company.account_id, hidden_company.domain):
            answer = answer_question(
                services,
                Question(text=f"how is {said} doing?", slack_user_id=asker.slack_user_id, now=NOW),
            )
            assert answer.account_id is None, (said, answer.text[:80])
            assert hidden_company.name not in answer.text, said


def test_an_industry_word_after_a_name_start_is_the_name_unless_it_is_the_question(
    realistic: pytest.MonkeyPatch,
) -> None:
    """Summit Logistics' owner cannot see Summit Health (own visibility)."""
    realistic.setenv("CSBOT_VISIBILITY", "own")
    asker = owner_slack("Summit Logistics")
    overview = ask("how is summit health doing?", asker)
    assert "No account named “summit health”" in overview["text"]
    assert "Summit Logistics" not in overview["text"]  # not another Summit's overview
    topic = ask("summit health", asker)  # the question is the health: of their Summit
    assert "Summit Health" not in topic["text"] and "No account named" not in topic["text"]
