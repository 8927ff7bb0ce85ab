"""Who is asking and what they may see.

A Slack user is a CSM when ``csms.slack_user_id`` names them. With
``CSBOT_VISIBILITY=own`` a CSM sees their own book, a manager their team's (the
CSMs reporting to them, plus their own), an admin everything; with ``all``
every known person sees everything. Unknown Slack users see nothing: callers
turn ``None`` into a polite refusal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from bot.db.queries.csms import csm_by_slack_user, direct_report_ids, peer_ids
from bot.db.queries.scope import AccountScope

logger = logging.getLogger(__name__)

Visibility = Literal["all", "own"]
RequestedScope = Literal["me", "team", "all"]

ADMIN = "admin"
MANAGER = "manager"


@dataclass(frozen=True, slots=True)
class Viewer:
    """A known person and the accounts they may see."""

    csm_id: str
    name: str
    role: str
    slack_user_id: str
    visible: AccountScope
    team_csm_ids: frozenset[str]

    @property
    def default_scope(self) -> RequestedScope:
        """What "accounts" means without "my"/"team"/"all": the book each role runs."""
        if self.role == ADMIN:
            return "all"
        if self.role == MANAGER:
            return "team"
        return "me"

    def effective_scope(self, requested: RequestedScope | None) -> RequestedScope:
        """What a request means for this role.

        A manager's "my accounts" are the team's (their own included), and an
        admin's "my" or "team" is the whole organisation: neither usually owns a
        book, and an empty answer to "my renewals" would be useless.
        """
        requested = requested or self.default_scope
        if self.role == ADMIN:
            return "all"
        if self.role == MANAGER and requested == "me":
            return "team"
        return requested

    def scope_for(self, requested: RequestedScope | None) -> AccountScope:
        """The accounts a request covers, never wider than what the viewer may see."""
        requested = self.effective_scope(requested)
        if requested == "me":
            wanted = AccountScope.books({self.csm_id})
        elif requested == "team":
            wanted = AccountScope.books(self.team_csm_ids)
        else:
            wanted = AccountScope.everything()
        return self.visible.narrowed_to(wanted)

    def is_narrowed(self, requested: RequestedScope | None) -> bool:
        """True when visibility cut the request down (the answer should say so)."""
        requested = self.effective_scope(requested)
        if requested == "all":
            return not self.visible.is_everything
        if requested == "team":
            return self.scope_for("team").csm_ids != self.team_csm_ids
        return False

    def can_see_book(self, csm_id: str | None) -> bool:
        return self.visible.allows_csm(csm_id)


def resolve_viewer(
    session: Session, slack_user_id: str, *, visibility: Visibility = "own"
) -> Viewer | None:
    """Map a Slack user to a :class:`Viewer`, or ``None`` when csbot does not know them.

    ``visibility`` defaults to the stricter ``own`` so a caller that forgets to
    pass the setting can only show less, never more.
    """
    csm = csm_by_slack_user(session=session, slack_user_id=slack_user_id)
    if csm is None:
        logger.info("unknown slack user", extra={"slack_user_id": slack_user_id})
        return None
    if csm.role in (ADMIN, MANAGER):
        team = direct_report_ids(session=session, manager_id=csm.csm_id) | {csm.csm_id}
    else:
        team = peer_ids(session=session, csm=csm)
    if visibility == "all" or csm.role == ADMIN:
        visible = AccountScope.everything()
    elif csm.role == MANAGER:
        visible = AccountScope.books(team)
    else:
        visible = AccountScope.books({csm.csm_id})
    return Viewer(
        csm_id=csm.csm_id,
        name=csm.name,
        role=csm.role,
        slack_user_id=slack_user_id,
        visible=visible,
        team_csm_ids=frozenset(team),
    )
