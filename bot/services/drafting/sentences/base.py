"""The fact record and the sink every sentence writer adds to.

A :class:`Fact` is one sentence with its source, date and trimming priority; the
:class:`FactSink` stamps each with its source's load date and shortens quotes, so
the per-area writers (``profile``, ``activity``, ``relationship``, ``commercial``)
only decide what to say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date
from decimal import Decimal
from typing import Any

from bot.db.queries.records import SourceFreshness
from bot.llm import truncate_at_sentence
from bot.services.drafting.fact_format import format_money

# Priorities: 1 is never trimmed before anything else; 5 goes first.
ESSENTIAL, HIGH, MEDIUM, LOW, BACKGROUND = 1, 2, 3, 4, 5
QUOTE_MAX_CHARS = 320
# Facts for the team, not the customer: an email may be shaped by them but never quote them.
INTERNAL_CATEGORIES = frozenset({"health", "ctas", "playbooks", "themes", "opportunities"})
MAX_PLAYBOOK_STEPS = 3
# Segments as people write them: "an SMB customer", not "a smb customer".
_SEGMENT_WORDS = {"smb": "SMB"}


@dataclass(frozen=True, slots=True)
class Fact:
    """One sentence a draft may rely on, with where and when it comes from."""

    key: str
    category: str
    text: str
    source: str
    as_of: date | None
    priority: int
    quoted: str | None = None
    names: tuple[str, ...] = ()

    @property
    def internal(self) -> bool:
        return self.category in INTERNAL_CATEGORIES

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": self.key,
            "category": self.category,
            "text": self.text,
            "source": self.source,
            "as_of": self.as_of.isoformat() if self.as_of else None,
        }
        if self.quoted:
            data["quoted"] = self.quoted
        return data


@dataclass(frozen=True, slots=True)
class PlaybookStepFact:
    playbook_id: str
    playbook_title: str
    number: int
    text: str
    timing: str
    owner: str
    channel: str


class FactSink:
    """Collects the pack's facts: the shared list, the load dates and the currency."""

    def __init__(self, loads: Mapping[str, SourceFreshness], currency: str) -> None:
        self.facts: list[Fact] = []
        self._loads = loads
        self._currency = currency

    def _as_of(self, source: str) -> date | None:
        load = self._loads.get(source)
        if load is None:
            return None
        return load.as_of.astimezone(UTC).date()

    def add(
        self,
        key: str,
        category: str,
        text: str,
        source: str,
        priority: int,
        *,
        as_of: date | None = None,
        quoted: str | None = None,
        names: Iterable[str] = (),
    ) -> None:
        self.facts.append(
            Fact(
                key=key,
                category=category,
                text=text,
                source=source,
                as_of=as_of if as_of is not None else self._as_of(source),
                priority=priority,
                quoted=_quote(quoted),
                names=tuple(name for name in names if name),
            )
        )

    def money(self, amount: Decimal) -> str:
        return format_money(amount, self._currency)


class FactFamily:
    """Base of the per-area sentence writers: each adds to one shared :class:`FactSink`."""

    def __init__(self, sink: FactSink) -> None:
        self.add = sink.add
        self.money = sink.money


def _as_sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _quote(text: str | None) -> str | None:
    if not text or not text.strip():
        return None
    shortened = truncate_at_sentence(text, QUOTE_MAX_CHARS)
    return shortened or None
