"""Who may see and who may act on an account: the one policy every Slack surface uses.

Two questions, asked of a :class:`~bot.services.accounts.viewers.Viewer` (or ``None`` for a
Slack user csbot does not know) and an :class:`Ownership`:

* **may see** — the account is in the viewer's visible books (``CSBOT_VISIBILITY``:
  ``own`` = a CSM's book, a manager's team, an admin everything; ``all`` = every
  known person sees everything), or the viewer may act on the item;
* **may act** — acknowledge, snooze, complete, reassign, resolve: the item's owner,
  the owner's manager, or an admin (whatever the visibility).

Handlers, jobs and modals never decide this themselves: they resolve the viewer,
describe what the item belongs to, and call :func:`authorize_view` or
:func:`authorize_action`, which raise with user-safe text. A refusal for something
the viewer may not see uses exactly the not-found text (:func:`not_found_text`), so
a refusal never tells anyone that a hidden account, CTA or escalation exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.db.cta_repository import csm_by_id
from bot.db.digest_queries import team_members
from bot.db.queries.scope import AccountScope
from bot.errors import PermissionDenied, UserFacingError
from bot.services.accounts.viewers import ADMIN, MANAGER, Viewer, Visibility, resolve_viewer

DIGEST_REFUSAL = "This digest belongs to someone else's book."


def unlinked_text(what: str) -> str:
    """The refusal for a Slack user who is not a CSM (says nothing about the item)."""
    return (
        f"Only the owner, their manager or an admin can {what}; your Slack user is not "
        "linked to a CSM."
    )


UNLINKED_VIEWER = (
    "I don't know you yet: ask an admin to add your Slack user to csbot's CSM list "
    "so I know which accounts you may see."
)


def not_found_text(what: str) -> str:
    """The one answer for "does not exist" and "exists but is hidden from you"."""
    return f"I can't find {what} among the accounts you can see."


@dataclass(frozen=True, slots=True)
class Ownership:
    """What an account, or an item on it (CTA, escalation), belongs to.

    ``account_csm_id`` is the account's book (visibility); ``owner_csm_id`` is who
    answers for the item (a reassigned CTA's new owner; the account's CSM otherwise).
    """

    account_csm_id: str | None
    owner_csm_id: str | None
    owner_manager_id: str | None
    owner_name: str | None


def ownership(
    session: Session, *, account_csm_id: str | None, owner_csm_id: str | None = None
) -> Ownership:
    """The :class:`Ownership` of an account (and its item's owner, when that differs)."""
    owner_id = owner_csm_id if owner_csm_id is not None else account_csm_id
    owner = csm_by_id(session=session, csm_id=owner_id) if owner_id else None
    return Ownership(
        account_csm_id=account_csm_id,
        owner_csm_id=owner_id,
        owner_manager_id=owner.manager_id if owner is not None else None,
        owner_name=owner.name if owner is not None else None,
    )


def may_act(viewer: Viewer | None, owner: Ownership) -> bool:
    """The owner, the owner's manager, or an admin."""
    if viewer is None:
        return False
    if viewer.role == ADMIN:
        return True
    if owner.owner_csm_id is None:
        return False
    return viewer.csm_id in (owner.owner_csm_id, owner.owner_manager_id)


def may_see(viewer: Viewer | None, owner: Ownership) -> bool:
    """The account is in the viewer's visible books, or the viewer answers for the item."""
    if viewer is None:
        return False
    return viewer.can_see_book(owner.account_csm_id) or may_act(viewer, owner)


def viewer_for(session: Session, slack_user_id: str, *, visibility: Visibility) -> Viewer | None:
    """The one way every surface turns a Slack user into a viewer (``None``: unknown)."""
    return resolve_viewer(session, slack_user_id, visibility=visibility)


def require_viewer(
    session: Session, slack_user_id: str, *, visibility: Visibility, refusal: str = UNLINKED_VIEWER
) -> Viewer:
    """The viewer, or ``PermissionDenied(refusal)`` for a Slack user csbot does not know."""
    viewer = viewer_for(session, slack_user_id, visibility=visibility)
    if viewer is None:
        raise PermissionDenied(refusal)
    return viewer


def authorize_view(viewer: Viewer, owner: Ownership | None, *, not_found: str) -> None:
    """Raise the not-found text when the item is missing or hidden from ``viewer``."""
    if owner is None or not may_see(viewer, owner):
        raise UserFacingError(not_found)


def authorize_action(viewer: Viewer, owner: Ownership | None, *, what: str, not_found: str) -> None:
    """Allow the owner, their manager or an admin to ``what``; raise user-safe text otherwise.

    Hidden and missing items get the same ``not_found`` text; only someone who may
    see the item learns whose it is.
    """
    authorize_view(viewer, owner, not_found=not_found)
    assert owner is not None
    if not may_act(viewer, owner):
        name = owner.owner_name or "nobody"
        raise PermissionDenied(f"Only the owner ({name}), their manager or an admin can {what}.")


def digest_scope(session: Session, viewer: Viewer | None, scope_key: str) -> AccountScope:
    """The accounts a digest's drill-down may list for ``viewer``.

    ``scope_key`` is the digest's book: ``team:<manager id>`` (that manager, or an
    admin), ``csm:<csm id>`` (that CSM, their manager, or an admin) or ``all`` (any
    manager or admin). Whatever the book, the list never goes beyond what the viewer
    may see: with ``CSBOT_VISIBILITY=own`` a manager's "all" is their own team.
    """
    kind, _, book_id = scope_key.partition(":")
    if viewer is None:
        raise PermissionDenied(DIGEST_REFUSAL)
    if kind == "all" and viewer.role in (ADMIN, MANAGER):
        wanted = AccountScope.everything()
    elif kind == "team" and book_id and (viewer.role == ADMIN or viewer.csm_id == book_id):
        wanted = AccountScope.books(set(team_members(session=session, manager_id=book_id)))
    elif kind == "csm" and book_id and may_act(viewer, ownership(session, account_csm_id=book_id)):
        wanted = AccountScope.books({book_id})
    else:
        raise PermissionDenied(DIGEST_REFUSAL)
    return viewer.visible.narrowed_to(wanted)
