"""What else happens when a post goes out, by message kind.

The outbox only records a post on its own row (channel, ts, audit). A package that
keeps a post's address on its own records registers a hook for the kinds it queues
(escalations keep ``Escalation.slack_ts`` for the thread and ``chat.update``), so the
outbox never needs to know that package. A hook runs in the transaction that marks
the row sent: the row and the package's record change together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class SentPost:
    """A post Slack accepted: the row's kind, key and payload, and where it landed."""

    kind: str
    dedupe_key: str
    payload: dict[str, Any]
    channel: str
    ts: str


OnSent = Callable[[Session, SentPost], None]

_HOOKS: dict[str, OnSent] = {}


def on_sent(kind: str) -> Callable[[OnSent], OnSent]:
    """Register the decorated function to run after each post of ``kind`` (one per kind)."""

    def register(hook: OnSent) -> OnSent:
        _HOOKS[kind] = hook
        return hook

    return register


def run_on_sent(session: Session, post: SentPost) -> None:
    """The hook registered for ``post.kind``, if any."""
    hook = _HOOKS.get(post.kind)
    if hook is not None:
        hook(session, post)
