"""What every CTA rule is given and gives back: the evaluation's context and the candidate.

A ``RuleContext`` is one evaluation's clock and config (with the signal windows
derived once); a ``CtaCandidate`` is a CTA a rule wants raised, most urgent first
by ``PRIORITY_ORDER``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.db.cta_signals import SignalWindows
from bot.services.ctas.rules_config import OnboardingMilestone, RulesConfig

PRIORITY_ORDER = {"urgent": 0, "high": 1, "medium": 2, "low": 3}


@dataclass(frozen=True, slots=True)
class CtaCandidate:
    """A CTA a rule wants to raise; persisted once per ``dedupe_key``."""

    account_id: str
    account_name: str
    rule: str
    type: str
    priority: str
    playbook_id: str
    reason: str
    period: str
    owner_csm_id: str | None
    due_date: date
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def dedupe_key(self) -> str:
        return f"{self.rule}:{self.account_id}:{self.period}"


@dataclass(frozen=True, slots=True)
class RuleContext:
    """One evaluation's clock and config, with the derived values computed once."""

    today: date
    now: datetime
    config: RulesConfig
    windows: SignalWindows = field(init=False)
    milestones: tuple[OnboardingMilestone, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "windows", self.config.windows())
        object.__setattr__(self, "milestones", tuple(self.config.onboarding_milestones()))
