"""Every Slack string id csbot uses: the single source the manifest is checked against.

Slash commands, action ids, modal callback ids and the event subscriptions live here
as ``StrEnum`` members so handlers, block builders and ``manifest.yml`` can never
drift apart silently (``tests/test_manifest.py`` compares them). Other areas add
their members with a one-line edit.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Command(StrEnum):
    """Slash commands; each must be declared in ``manifest.yml``."""

    CS = "/cs"
    HEALTH = "/health"
    RENEWALS = "/renewals"
    ESCALATE = "/escalate"
    ESCALATIONS = "/escalations"


class ActionId(StrEnum):
    """``action_id`` of interactive elements.

    Ids used by several buttons in one message (account choices) are prefixes: the
    element's id is ``f"{prefix}:{n}"`` and handlers match :func:`prefixed`.
    """

    FEEDBACK_UP = "answer_feedback_up"
    FEEDBACK_DOWN = "answer_feedback_down"
    SHARE_IN_CHANNEL = "answer_share_in_channel"
    SHOW_MORE = "answer_show_more"
    CHOOSE_ACCOUNT = "answer_choose_account"
    CTA_ACKNOWLEDGE = "cta_acknowledge"
    CTA_SNOOZE = "cta_snooze"
    CTA_COMPLETE = "cta_complete"
    CTA_REASSIGN = "cta_reassign"
    ESCALATION_ACKNOWLEDGE = "escalation_acknowledge"
    ESCALATION_RESOLVE = "escalation_resolve"
    DIGEST_DRILL_DOWN = "digest_drill_down"
    DRAFT_EMAIL = "draft_email"
    DRAFT_SUMMARY = "draft_summary"
    DRAFT_REGENERATE = "draft_regenerate"


class CallbackId(StrEnum):
    """``callback_id`` of modals and shortcuts (added by the areas that open them)."""

    CTA_SNOOZE_MODAL = "cta_snooze_modal"
    CTA_COMPLETE_MODAL = "cta_complete_modal"
    ESCALATE_MODAL = "escalate_modal"
    DRAFT_MODAL = "draft_modal"


BOT_EVENTS: tuple[str, ...] = (
    "app_home_opened",
    "app_mention",
    "message.im",
    "message.channels",
    "message.groups",
)
"""Event subscriptions the app handles (manifest ``settings.event_subscriptions``)."""


def prefixed(action_id: ActionId) -> re.Pattern[str]:
    """A matcher for an action id used with a ``:<n>`` suffix (unique per element)."""
    return re.compile(rf"^{re.escape(action_id.value)}(?::.*)?$")


def indexed_action_id(action_id: ActionId, index: int) -> str:
    """The per-element id for prefix-matched actions (Slack wants them unique per block)."""
    return f"{action_id.value}:{index}"
