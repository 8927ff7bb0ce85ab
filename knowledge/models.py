"""Value objects the knowledge layer hands out: playbooks, suggestions, sentiment, themes.

They are frozen dataclasses so a loaded catalog or a computed theme can be shared
between threads (the Slack app answers concurrently) without defensive copies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

SentimentLabel = Literal["negative", "neutral", "positive"]
SENTIMENT_LABELS: tuple[SentimentLabel, ...] = ("negative", "neutral", "positive")


@dataclass(frozen=True, slots=True)
class PlaybookStep:
    """One numbered step a CSM can act on: what, when, who and through which channel."""

    number: int
    text: str
    timing: str
    owner: str
    channel: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "text": self.text,
            "timing": self.timing,
            "owner": self.owner,
            "channel": self.channel,
        }


@dataclass(frozen=True, slots=True)
class Playbook:
    """A playbook file, validated: front matter fields plus its ordered steps."""

    id: str
    title: str
    triggers: tuple[str, ...]
    cta_type: str
    priority: str
    segments: tuple[str, ...]
    steps: tuple[PlaybookStep, ...]
    summary: str = ""
    signals: tuple[str, ...] = ()
    source: Path | None = None

    def step(self, number: int) -> PlaybookStep:
        for candidate in self.steps:
            if candidate.number == number:
                return candidate
        raise KeyError(f"playbook {self.id!r} has no step {number}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "triggers": list(self.triggers),
            "cta_type": self.cta_type,
            "priority": self.priority,
            "segments": list(self.segments),
            "signals": list(self.signals),
            "summary": self.summary,
            "steps": [step.to_dict() for step in self.steps],
        }


@dataclass(frozen=True, slots=True)
class StepMatch:
    """A playbook step together with how close it is to the text that was asked about."""

    step: PlaybookStep
    similarity: float

    def to_dict(self) -> dict[str, Any]:
        return {**self.step.to_dict(), "similarity": round(self.similarity, 4)}


@dataclass(frozen=True, slots=True)
class PlaybookMatch:
    """One ranked retrieval result with the evidence behind its score.

    The parts (semantic, trigger, signal) are kept so an answer can say *why* a
    playbook was chosen ("matched trigger: card declined") instead of a bare number.
    """

    playbook: Playbook
    score: float
    semantic: float
    trigger: float
    signal: float
    matched_triggers: tuple[str, ...]
    matched_signals: tuple[str, ...]
    steps: tuple[StepMatch, ...]


@dataclass(frozen=True, slots=True)
class SentimentResult:
    """A score in [-1, 1] (negative to positive) and its label."""

    score: float
    label: SentimentLabel


@dataclass(frozen=True, slots=True)
class TicketDocument:
    """The slice of a ticket the knowledge layer needs; built from SQL rows by bot.db."""

    ticket_id: str
    account_id: str
    created_at: datetime
    text: str
    csm_id: str | None = None
    category: str | None = None
    priority: str | None = None


@dataclass(frozen=True, slots=True)
class Theme:
    """A cluster of similar tickets with a human-readable label.

    ``trend`` is the relative change in ticket count, last 30 days versus the 30
    days before (``+1.0`` = doubled); ``None`` when there is nothing to compare.
    """

    label: str
    terms: tuple[str, ...]
    size: int
    negative_share: float
    trend: float | None
    examples: tuple[str, ...]
    centroid: tuple[float, ...]
    member_ids: tuple[str, ...]
    member_similarities: tuple[float, ...] = field(default=())
    recent_count: int = 0
    prior_count: int = 0
