"""The answer pipeline's behaviour beyond phrasing: permissions, choices, paging,
follow-ups, freshness, escaping, limits and the audit trail (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import (
    Account,
    AuditLog,
    HealthScore,
    Interaction,
    SlackThread,
    UsageDaily,
)
from bot.services import Services
from bot.services.answers.answer_assembly import MAX_ANSWER_BLOCKS
from bot.services.answers.pipeline import Question, answer_question
from bot.slack import formatting as fmt
from bot.slack.action_values import parse_answer_ref
from bot.slack.ids import ActionId
from tests.conftest import make_settings
from tests.services.qa_world import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    MANAGER,
    NOW,
    STRANGER,
    TODAY,
    build_world,
)
from tests.support.block_reading import action_elements
from tests.support.blockcheck import assert_valid_blocks


def ask(services: Services, text: str, user: str, **extra: object):  # noqa: ANN201
    answer = answer_question(services, Question(text=text, slack_user_id=user, now=NOW, **extra))
    assert_valid_blocks(answer.blocks)
    assert len(answer.blocks) <= MAX_ANSWER_BLOCKS
    return answer


def with_visibility(services: Services, visibility: str) -> Services:
    settings = make_settings(
        services.settings.data_dir,
        services.engine.url.render_as_string(hide_password=False),
        CSBOT_VISIBILITY=visibility,
    )
    return Services(
        settings=settings, engine=services.engine, session_factory=services.session_factory
    )


def choice_buttons(blocks: list[dict]) -> list[dict]:
    return action_elements(blocks, ActionId.CHOOSE_ACCOUNT.value)


# ----------------------------------------------------------------------------- who may see what
def test_unknown_slack_user_is_refused_politely_and_audited(qa_services: Services) -> None:
    answer = ask(qa_services, "how is acme doing? (audit probe)", STRANGER)

    assert answer.refused and answer.intent == "refused"
    assert "don't know you" in answer.text
    assert "Acme" not in answer.text
    with Session(qa_services.engine) as session:
        record = session.scalars(
            select(AuditLog).where(
                AuditLog.actor == f"slack:{STRANGER}", AuditLog.action == "answer"
            )
        ).all()[-1]
    assert record.detail["refused"] is True
    assert record.detail["question"] == "how is acme doing? (audit probe)"


def test_every_answer_writes_one_audit_record(qa_services: Services) -> None:
    with Session(qa_services.engine) as session:
        before = session.scalar(select(func.count()).select_from(AuditLog))
    ask(qa_services, "when does acme renew?", ALICE)
    with Session(qa_services.engine) as session:
        after = session.scalar(select(func.count()).select_from(AuditLog))
        latest = session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert after == before + 1
    assert (latest.actor, latest.action, latest.target) == (f"slack:{ALICE}", "answer", "acc_acme")
    assert latest.detail["intent"] == "renewal_date"


def test_own_visibility_hides_other_books_without_leaking_names(qa_services: Services) -> None:
    answer = ask(qa_services, "how is hooli doing", ALICE)

    assert answer.intent == "not_found"
    assert "Hooli" not in answer.text  # not even as a suggestion
    assert answer.choices == []


@pytest.mark.parametrize(
    "question", ["open tickets for hooli", "nps for hooli", "what should i do about hooli"]
)
def test_a_hidden_account_named_after_for_is_not_found_not_swapped_for_my_book(
    qa_services: Services, question: str
) -> None:
    answer = ask(qa_services, question, ALICE)
    assert answer.intent == "not_found", answer.text
    assert "Hooli" not in answer.text and "Acme" not in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "nps for stark industries europe",
        "how is stark industries europe",
        "health of stark industries europe",
        "contacts at stark industries europe",
    ],
)
def test_a_hidden_name_extending_my_accounts_name_is_not_answered_about_mine(
    sqlite_services: Services, question: str
) -> None:
    """Alice owns "Stark Industries"; Carol's "Stark Industries Europe" must not become it."""
    build_world(sqlite_services.engine)
    with Session(sqlite_services.engine) as session:
        session.add(
            Account(
                account_id="acc_stark_eu",
                name="Stark Industries Europe",
                csm_id="csm_carol",
                arr=Decimal(10_000),
                status="active",
            )
        )
        session.commit()
    own = with_visibility(sqlite_services, "own")

    answer = ask(own, question, ALICE)

    assert answer.intent == "not_found", answer.text
    assert answer.account_id is None and answer.choices == []
    assert "Stark Industries" not in answer.text  # neither mine nor the hidden one's real name
    assert (
        ask(with_visibility(sqlite_services, "all"), question, ALICE).account_id == "acc_stark_eu"
    )


@pytest.mark.parametrize("band", ["red", "yellow", "green"])
def test_my_band_accounts_lists_that_band_only_and_agrees_with_the_band_counts(
    qa_services: Services, band: str
) -> None:
    """ "my green accounts" once answered with the at-risk list (red accounts in it)."""
    listed = ask(qa_services, f"my {band} accounts", ADMIN)
    counts = ask(qa_services, "total arr", ADMIN).text

    assert listed.intent == "at_risk"
    assert listed.text.startswith(f"{band.capitalize()} accounts"), listed.text
    rows = [line for line in listed.text.splitlines() if line.startswith("• ")]
    assert rows and all(f" {band} " in row for row in rows), rows
    others = {"red", "yellow", "green"} - {band}
    assert not any(f" {other} " in row for row in rows for other in others)
    shown = re.search(rf"{band} (\d+)", counts)
    assert shown is not None, counts
    assert f"{fmt.plural(int(shown.group(1)), 'account')}," in listed.text


def test_what_changed_lists_only_drivers_that_are_new_not_reworded(
    sqlite_services: Services,
) -> None:
    """A driver whose figure moved ("24 days ago" → "31 days ago") is not "new since then"."""
    build_world(sqlite_services.engine)

    def driver(text: str, component: str, measure: str) -> dict[str, object]:
        return {"text": text, "component": component, "measure": measure, "direction": "negative"}

    seats = ("usage", "seat_utilisation")
    touch = ("relationship", "days_since_interaction")
    with Session(sqlite_services.engine) as session:
        week_ago = session.get(HealthScore, ("acc_stark", TODAY - timedelta(days=7)))
        today = session.get(HealthScore, ("acc_stark", TODAY))
        assert week_ago is not None and today is not None
        week_ago.drivers = [
            driver("198 of 900 seats active (22%)", *seats),
            driver("last interaction with the account 24 days ago", *touch),
        ]
        today.drivers = [
            driver("150 of 900 seats active (17%)", *seats),
            driver("latest NPS 3 (detractor)", "survey", "nps_latest"),
            driver("last interaction with the account 31 days ago", *touch),
        ]
        session.commit()

    answer = ask(with_visibility(sqlite_services, "own"), "why did stark drop", ALICE)

    assert answer.intent == "health_change", answer.text
    new_section = answer.text.split("New since then", 1)[1].split("Data as of", 1)[0]
    assert "latest NPS 3 (detractor)" in new_section
    assert "seats active" not in new_section and "interaction" not in new_section


@pytest.mark.parametrize("question", ["how is acme", "contacts at acme"])
def test_last_touch_is_a_customer_touch_not_an_internal_note(
    sqlite_services: Services, question: str
) -> None:
    """Scoring ignores internal notes for "last interaction"; the answer's last touch must too."""
    build_world(sqlite_services.engine)
    with Session(sqlite_services.engine) as session:
        session.add(
            Interaction(
                interaction_id="i_note",
                account_id="acc_acme",
                occurred_at=NOW - timedelta(days=1),
                type="note",
                csm_id="csm_alice",
                summary="Internal note: tried Jane twice by phone; no answer.",
            )
        )
        session.commit()

    answer = ask(with_visibility(sqlite_services, "own"), question, ALICE)

    assert "Internal note" not in answer.text and "Last touch: note" not in answer.text
    assert "meeting" in answer.text.split("Last touch", 1)[1], answer.text


def test_usage_trend_leaves_out_todays_partial_day(sqlite_services: Services) -> None:
    """Today's usage row holds a few hours of use: counting it pulled Globex's average
    below the seat-utilisation driver scored over complete days."""
    build_world(sqlite_services.engine)
    with Session(sqlite_services.engine) as session:
        session.add(
            UsageDaily(account_id="acc_acme", date=TODAY, active_users=3, logins=3, events=10)
        )
        session.commit()

    answer = ask(with_visibility(sqlite_services, "own"), "usage trend for acme", ALICE)

    assert answer.intent == "usage", answer.text
    yesterday = fmt.day(TODAY - timedelta(days=1))
    assert f"– {yesterday})" in answer.text, answer.text
    assert "Avg daily active users: 70 vs 120" in answer.text, answer.text


def test_picking_an_account_outside_the_book_is_refused(qa_services: Services) -> None:
    answer = ask(qa_services, "how is it doing", ALICE, account_id="acc_hooli")
    assert answer.intent == "not_found" and answer.account_id is None


def test_all_visibility_lets_every_known_person_see_everything(qa_services: Services) -> None:
    everyone = with_visibility(qa_services, "all")
    answer = ask(everyone, "how is hooli doing", ALICE)
    assert (answer.intent, answer.account_id) == ("account_overview", "acc_hooli")
    assert ask(everyone, "how is hooli doing", STRANGER).refused


def test_manager_sees_the_team_but_not_other_teams(qa_services: Services) -> None:
    team = ask(qa_services, "renewals in the next 120 days for my team", MANAGER)
    assert "Umbrella Health Ltd" in team.text and "Acme Corp Inc" in team.text
    assert "Northwind" not in team.text
    assert ask(qa_services, "how is hooli doing", MANAGER).intent == "not_found"


def test_a_csm_asking_for_everything_is_told_the_answer_is_narrowed(
    qa_services: Services,
) -> None:
    answer = ask(qa_services, "all renewals in the next 120 days", ALICE)
    assert "Showing only the accounts you can see" in answer.text
    assert "Umbrella" not in answer.text


def test_admin_sees_unassigned_accounts(qa_services: Services) -> None:
    answer = ask(qa_services, "how is wayne enterprises doing", ADMIN)
    assert answer.account_id == "acc_wayne"
    assert "unassigned" in answer.text


# ----------------------------------------------------------------------------- names
def test_an_ambiguous_name_offers_one_button_per_account(qa_services: Services) -> None:
    answer = ask(qa_services, "how is globex doing?", ADMIN)

    assert answer.intent == "choose_account"
    assert sorted(answer.choices) == [
        ("acc_globex_corp", "Globex Corporation"),
        ("acc_globex_inc", "Globex Inc"),
    ]
    buttons = choice_buttons(answer.blocks)
    refs = [parse_answer_ref(button["value"]) for button in buttons]
    assert sorted(ref.account_id for ref in refs) == ["acc_globex_corp", "acc_globex_inc"]
    assert {ref.question for ref in refs} == {"how is globex doing?"}

    chosen = ask(qa_services, refs[0].question, ADMIN, account_id=refs[0].account_id)
    assert (chosen.intent, chosen.account_id) == ("account_overview", refs[0].account_id)


def test_the_same_name_is_not_ambiguous_for_someone_who_sees_one(qa_services: Services) -> None:
    answer = ask(qa_services, "how is globex doing?", BOB)
    assert answer.account_id == "acc_globex_corp"


def test_an_unknown_name_gets_did_you_mean_with_buttons(qa_services: Services) -> None:
    answer = ask(qa_services, "when does acne renew", ALICE)

    assert answer.intent == "not_found"
    assert answer.text.startswith("No account named “acne” — did you mean Acme Corp Inc?")
    [button] = choice_buttons(answer.blocks)
    assert parse_answer_ref(button["value"]).account_id == "acc_acme"


def test_a_name_that_is_nothing_like_any_account_says_so(qa_services: Services) -> None:
    answer = ask(qa_services, "when does zzyzx quantum renew", ALICE)
    assert answer.intent == "not_found"
    assert "No account named “zzyzx quantum”" in answer.text
    assert choice_buttons(answer.blocks) == []


def test_account_only_question_without_a_name_asks_which_account(qa_services: Services) -> None:
    answer = ask(qa_services, "usage trend", ALICE)
    assert answer.intent == "which_account"
    assert "Which account" in answer.text


# ----------------------------------------------------------------------------- conversation
def test_a_thread_follow_up_keeps_the_threads_account(qa_services: Services) -> None:
    with Session(qa_services.engine) as session:
        session.merge(
            SlackThread(channel_id="C0QA", thread_ts="1700000000.000100", account_id="acc_acme")
        )
        session.commit()
    answer = ask(
        qa_services,
        "and what about their tickets?",
        ALICE,
        channel_id="C0QA",
        channel_type="channel",
        thread_ts="1700000000.000100",
    )
    assert (answer.intent, answer.account_id) == ("tickets", "acc_acme")


def test_context_account_is_not_used_for_an_explicit_portfolio_question(
    qa_services: Services,
) -> None:
    follow_up = ask(qa_services, "who is the champion?", ALICE, context_account_id="acc_acme")
    assert (follow_up.intent, follow_up.account_id) == ("contacts", "acc_acme")
    portfolio = ask(qa_services, "my total arr", ALICE, context_account_id="acc_acme")
    assert (portfolio.intent, portfolio.account_id) == ("arr", None)


def test_context_account_outside_the_book_is_ignored(qa_services: Services) -> None:
    answer = ask(qa_services, "who is the champion?", ALICE, context_account_id="acc_hooli")
    assert answer.intent == "which_account"


# ----------------------------------------------------------------------------- lists
def test_long_lists_page_without_gaps_or_repeats(qa_services: Services) -> None:
    with Session(qa_services.engine) as session:
        book = set(
            session.scalars(
                select(Account.name).where(
                    Account.csm_id == "csm_carol", Account.status == "active"
                )
            )
        )
    first = ask(qa_services, "my accounts", CAROL)
    second = ask(qa_services, "my accounts", CAROL, page=1)

    assert first.has_more and not second.has_more
    assert (first.page, second.page) == (0, 1)
    shown_first = {name for name in book if f"{name} —" in first.text}
    shown_second = {name for name in book if f"{name} —" in second.text}
    assert len(shown_first) == 10
    assert shown_first.isdisjoint(shown_second)
    assert shown_first | shown_second == book
    assert f"11–{len(book)} of {len(book)}" in second.text


# ----------------------------------------------------------------------------- truthfulness
def test_freshness_line_names_every_source_read_and_shows_row_age_unflagged(
    qa_services: Services,
) -> None:
    """Every source was loaded an hour ago: old newest rows are shown, never flagged."""
    contacts = ask(qa_services, "contacts at acme", ALICE)
    line = contacts.blocks[-1]["elements"][0]["text"]
    assert line.startswith("Data as of 12 Jun 2025")  # the oldest source read: interactions
    assert "contacts 1 h old" in line
    assert "interactions 4 days old" in line and "stale" not in line

    health = ask(qa_services, "acme health", ALICE)
    assert "invoices never loaded" in health.text
    assert "health scored 16 Jun 2025" in health.text


def test_store_text_is_escaped_in_blocks_and_plain_in_text(qa_services: Services) -> None:
    answer = ask(qa_services, "open tickets for acme", ALICE)
    blocks = json.dumps(answer.blocks, ensure_ascii=False)
    assert "SSO &lt;login&gt; loop &amp; timeouts" in blocks
    assert "<login>" not in blocks
    assert "SSO <login> loop & timeouts" in answer.text


def test_override_is_shown_beside_the_computed_band(qa_services: Services) -> None:
    answer = ask(qa_services, "initech health", ALICE)
    assert "Band set to red by Alice Able until 26 Jun 2025" in answer.text
    assert "computed: yellow" in answer.text
    assert "Exec sponsor left" in answer.text


def test_missing_components_are_named(qa_services: Services) -> None:
    answer = ask(qa_services, "initech health", ALICE)
    assert "No data for: Support — left out of the score and the weights renormalised." in (
        answer.text
    )


def test_an_unscored_account_says_so_instead_of_inventing_a_band(qa_services: Services) -> None:
    answer = ask(qa_services, "how is newco analytics doing", ALICE)
    assert answer.account_id == "acc_newco"
    assert "Not scored yet" in answer.text


def test_an_overdue_renewal_is_called_out(qa_services: Services) -> None:
    answer = ask(qa_services, "when does stark renew", ALICE)
    assert "5 days ago" in answer.text and "end date has passed" in answer.text


def test_next_steps_shows_open_ctas_and_their_playbook_steps(qa_services: Services) -> None:
    answer = ask(qa_services, "what should I do about acme?", ALICE)
    assert "Health turned red (74 → 36)" in answer.text
    assert "NPS 6" not in answer.text  # the completed CTA
    assert "Playbook:" in answer.text


def test_answers_stay_within_block_limits_on_every_question_form(qa_services: Services) -> None:
    for question in ["my accounts", "all renewals in the next 365 days", "arr at risk", "help"]:
        answer = ask(qa_services, question, ADMIN)
        assert len(answer.blocks) <= MAX_ANSWER_BLOCKS
        assert all(len(json.dumps(block)) < 12_000 for block in answer.blocks)


def test_question_is_immutable_and_answers_do_not_depend_on_the_clock(
    qa_services: Services,
) -> None:
    question = Question(text="renewals in the next 30 days", slack_user_id=ADMIN, now=NOW)
    first = answer_question(qa_services, question)
    second = answer_question(qa_services, replace(question))
    assert first.text == second.text
    with pytest.raises(AttributeError):
        question.text = "changed"  # type: ignore[misc]


def test_next_steps_without_ctas_follow_the_health_snapshot(qa_services: Services) -> None:
    """Stark is red with no open CTA: the at-risk playbook, chosen without the model."""
    answer = ask(qa_services, "what should I do about stark?", ALICE)
    assert "No open CTAs for Stark Industries." in answer.text
    assert "Playbook: At-risk account intervention" in answer.text
    assert "Suggested playbooks" not in answer.text


def test_a_named_situation_gets_retrieved_playbook_steps(qa_services_sqlite: Services) -> None:
    """The real retriever (MiniLM, offline) ranks the catalog for the situation named."""
    answer = ask(
        qa_services_sqlite, "what should I do about the failed card payment at initech?", ALICE
    )
    from knowledge.playbooks import load_playbooks

    assert answer.account_id == "acc_initech"
    assert "Suggested playbooks for “failed card payment”" in answer.text
    first = answer.text.split("Suggested playbooks", 1)[1].split("\n")[1]
    assert first == f"Suggested: {load_playbooks()['payment-failure'].title}"


def test_a_churned_account_says_so_first(qa_services: Services) -> None:
    with Session(qa_services.engine) as session:
        churned_at = session.get(Account, "acc_soylent").churned_at
    answer = ask(qa_services, "how is soylent doing", BOB)
    assert answer.account_id == "acc_soylent"
    assert answer.text.splitlines()[2] == f"⚫ Churned on {fmt.day(churned_at)}"
