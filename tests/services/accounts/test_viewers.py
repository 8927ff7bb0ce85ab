"""Slack user → CSM, and what each role may see under each visibility setting."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from bot.db.queries.scope import AccountScope
from bot.services import Services
from bot.services.accounts.viewers import resolve_viewer
from tests.services.qa_world import ADMIN, ALICE, BOB, CAROL, MANAGER, STRANGER


@pytest.mark.parametrize(
    ("user", "visible", "default"),
    [
        (ALICE, {"csm_alice"}, "me"),
        (CAROL, {"csm_carol"}, "me"),
        (MANAGER, {"csm_mgr", "csm_alice", "csm_bob"}, "team"),
        (ADMIN, None, "all"),
    ],
)
def test_own_visibility_by_role(
    qa_services: Services, user: str, visible: set[str] | None, default: str
) -> None:
    with Session(qa_services.engine) as session:
        viewer = resolve_viewer(session, user, visibility="own")
    assert viewer is not None
    assert viewer.visible.csm_ids == (frozenset(visible) if visible is not None else None)
    assert viewer.default_scope == default


def test_all_visibility_shows_everyone_everything(qa_services: Services) -> None:
    with Session(qa_services.engine) as session:
        viewer = resolve_viewer(session, BOB, visibility="all")
    assert viewer is not None and viewer.visible.is_everything
    assert viewer.scope_for("me") == AccountScope.books({"csm_bob"})
    assert viewer.scope_for("team") == AccountScope.books({"csm_alice", "csm_bob"})


def test_requests_are_narrowed_never_widened(qa_services: Services) -> None:
    with Session(qa_services.engine) as session:
        viewer = resolve_viewer(session, ALICE, visibility="own")
    assert viewer is not None
    assert viewer.scope_for("all") == AccountScope.books({"csm_alice"})
    assert viewer.scope_for("team") == AccountScope.books({"csm_alice"})
    assert viewer.is_narrowed("all") and viewer.is_narrowed("team")
    assert not viewer.is_narrowed("me")


def test_the_default_is_the_strict_setting(qa_services: Services) -> None:
    with Session(qa_services.engine) as session:
        viewer = resolve_viewer(session, ALICE)
    assert viewer is not None and viewer.visible == AccountScope.books({"csm_alice"})


def test_unknown_slack_user_is_nobody(qa_services: Services) -> None:
    with Session(qa_services.engine) as session:
        assert resolve_viewer(session, STRANGER, visibility="all") is None


def test_my_means_the_book_each_role_runs(qa_services: Services) -> None:
    with Session(qa_services.engine) as session:
        manager = resolve_viewer(session, MANAGER, visibility="own")
        admin = resolve_viewer(session, ADMIN, visibility="own")
        csm = resolve_viewer(session, ALICE, visibility="own")
    assert manager is not None and admin is not None and csm is not None
    assert manager.scope_for("me") == manager.scope_for("team")
    assert admin.scope_for("me").is_everything and admin.scope_for("team").is_everything
    assert csm.scope_for("me") == AccountScope.books({"csm_alice"})
