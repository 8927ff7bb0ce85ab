"""Use case: which playbook fits this situation, and which of its steps to take.

Used by the assistant ("what should I do about Globex's billing complaint?"), CTA
alerts and drafting. Text is ranked by the knowledge retriever; when an account is
given, its current signals (overdue invoice, renewal due, red health, ...) are read
from the store and boost the playbooks they point to.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from bot.db.knowledge_repo import account_signal_facts, find_account
from bot.db.session import unit_of_work
from bot.errors import AccountNotFound, UserFacingError

if TYPE_CHECKING:
    from bot.services import Services
    from knowledge.models import Playbook, PlaybookMatch, PlaybookStep

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PlaybookSuggestion:
    """A ranked playbook with the steps that match the situation best (in step order)."""

    playbook_id: str
    title: str
    score: float
    steps: list[PlaybookStep]
    cta_type: str
    priority: str
    matched_triggers: list[str]
    matched_signals: list[str]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``csbot playbooks suggest --json``."""
        return {
            "playbook": self.playbook_id,
            "title": self.title,
            "score": round(self.score, 4),
            "steps": [step.to_dict() for step in self.steps],
            "cta_type": self.cta_type,
            "priority": self.priority,
            "matched_triggers": self.matched_triggers,
            "matched_signals": self.matched_signals,
        }


def playbook_catalog(services: Services) -> dict[str, Playbook]:
    """Every playbook (built-in plus the team folder), by id; never loads the model."""
    return services.knowledge.playbooks


def resolve_account_id(services: Services, query: str) -> str:
    """An account id from an id, a domain or a name, as every other command finds it.

    The one resolver (:func:`bot.services.accounts.names.resolve_one`), so ``csbot
    tickets themes --account acme`` and ``csbot health show acme`` agree. The command
    line is an operator's tool: every account is in scope.

    Raises:
        AccountNotFound: with up to three close names as suggestions.
        AmbiguousAccount: with the candidates, when several names match equally well.
    """
    from bot.db.queries.scope import AccountScope
    from bot.services.accounts.names import resolve_one

    with unit_of_work(services.session_factory) as session:
        found = resolve_one(services.account_names, session, query, AccountScope.everything())
    return found.account_id


def account_signals(
    services: Services, account_id: str, *, as_of: date | None = None
) -> frozenset[str]:
    """The playbook signals that hold for an account today (or on ``as_of``)."""
    from knowledge.signals import AccountFacts, derive_account_signals

    day = as_of or datetime.now(UTC).date()
    with unit_of_work(services.session_factory) as session:
        facts = account_signal_facts(session=session, account_id=account_id, as_of=day)
    return derive_account_signals(AccountFacts(**facts))


def suggest_playbooks(
    services: Services,
    text: str,
    *,
    account_id: str | None = None,
    k: int = 3,
    as_of: date | None = None,
) -> list[PlaybookSuggestion]:
    """The ``k`` best playbooks for a situation, best first.

    Args:
        text: a ticket, a note or a question; may be empty when ``account_id`` is given.
        account_id: the account the situation is about (its signals boost matching playbooks).
        k: how many playbooks to return.

    Raises:
        UserFacingError: when there is neither text nor an account to go on.
        AccountNotFound: when ``account_id`` names no account.
    """
    return suggest_playbooks_batch(services, [text], account_id=account_id, k=k, as_of=as_of)[0]


def suggest_playbooks_batch(
    services: Services,
    texts: Sequence[str],
    *,
    account_id: str | None = None,
    k: int = 3,
    as_of: date | None = None,
) -> list[list[PlaybookSuggestion]]:
    """Rank many texts with one batched embedding call (``--file`` mode)."""
    if account_id is None and any(not text.strip() for text in texts):
        raise UserFacingError(
            "Describe the situation (a ticket, a note or a question) to match a playbook."
        )
    signals: frozenset[str] = frozenset()
    if account_id is not None:
        with unit_of_work(services.session_factory) as session:
            if find_account(session=session, query=account_id) is None:
                raise AccountNotFound(account_id)
        signals = account_signals(services, account_id, as_of=as_of)
    retriever = services.knowledge.retriever
    ranked = retriever.suggest_many(list(texts), signals=signals, k=k)
    logger.info(
        "playbooks suggested",
        extra={"texts": len(texts), "account_id": account_id, "signals": sorted(signals)},
    )
    return [[_to_suggestion(match) for match in matches] for matches in ranked]


def _to_suggestion(match: PlaybookMatch) -> PlaybookSuggestion:
    return PlaybookSuggestion(
        playbook_id=match.playbook.id,
        title=match.playbook.title,
        score=match.score,
        steps=[step_match.step for step_match in match.steps],
        cta_type=match.playbook.cta_type,
        priority=match.playbook.priority,
        matched_triggers=list(match.matched_triggers),
        matched_signals=list(match.matched_signals),
    )
