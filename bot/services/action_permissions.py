"""Who may act on a CTA or an escalation: its owner, the owner's manager, or an admin.

Buttons in a shared channel can be clicked by anyone; the click is checked against
the store, never against what the message says, and refused with a reason.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.db.cta_repository import csm_by_id, csm_by_slack_user
from bot.db.models import Csm
from bot.errors import PermissionDenied


def authorize_owner_action(
    session: Session, *, slack_user_id: str, owner_csm_id: str | None, what: str
) -> Csm:
    """The acting CSM when allowed; raises ``PermissionDenied`` with user-safe text otherwise."""
    actor = csm_by_slack_user(session=session, slack_user_id=slack_user_id)
    if actor is None:
        raise PermissionDenied(
            f"Only the owner, their manager or an admin can {what}; your Slack user is not "
            "linked to a CSM."
        )
    if actor.role == "admin" or (owner_csm_id is not None and actor.csm_id == owner_csm_id):
        return actor
    owner = csm_by_id(session=session, csm_id=owner_csm_id) if owner_csm_id else None
    if owner is not None and owner.manager_id == actor.csm_id:
        return actor
    owner_name = owner.name if owner is not None else "nobody"
    raise PermissionDenied(f"Only the owner ({owner_name}), their manager or an admin can {what}.")
