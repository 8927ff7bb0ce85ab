"""The App Home view: the viewer's portfolio, figures from the store."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Account
from bot.services import Services
from bot.services.insights.home import build_home_view
from bot.slack import formatting as fmt
from bot.slack.blocks.plain_text import blocks_to_text
from tests.services.qa_world import CAROL, MANAGER, NOW, STRANGER
from tests.support.blockcheck import assert_valid_view


def test_manager_home_shows_the_teams_portfolio(qa_services: Services) -> None:
    view = build_home_view(qa_services, MANAGER, now=NOW)
    assert_valid_view(view)
    text = blocks_to_text(view["blocks"])
    with Session(qa_services.engine) as session:
        team = list(
            session.scalars(
                select(Account).where(
                    Account.status == "active",
                    Account.csm_id.in_(["csm_mgr", "csm_alice", "csm_bob"]),
                )
            )
        )
    assert f"Total ARR: {fmt.money(sum(a.arr for a in team))}" in text
    assert "Mona Manager's portfolio" in text
    assert "Acme Corp Inc 74 → 36 (−38)" in text  # biggest mover of the week
    assert "Health turned red (74 → 36)" in text  # open CTA
    assert "Hooli" not in text  # another team's account
    assert view["blocks"][-1]["elements"][0]["text"].startswith("Data as of")


def test_home_of_a_csm_counts_bands_in_their_book(qa_services: Services) -> None:
    text = blocks_to_text(build_home_view(qa_services, CAROL, now=NOW)["blocks"])
    assert "🔴 red 0 · 🟡 yellow 0 · 🟢 green 14" in text
    assert "ARR at risk: €300,000" in text  # Hooli is in the at-risk stage


def test_home_for_an_unknown_user_is_a_polite_note(qa_services: Services) -> None:
    view = build_home_view(qa_services, STRANGER, now=NOW)
    assert_valid_view(view)
    assert "don't know you" in blocks_to_text(view["blocks"])
