"""Claims: the checkable statements a draft makes, read out of its text with patterns.

Money, percentages, dates, plain numbers, contact details, links and capitalised
names each have a pattern; a span taken by one kind is never read again as another.
Extraction is separate from checking (``grounding``) because the same claims are
also listed to the model as what it must not invent, and marked in the text when
they are not supported. Its underscore patterns and helpers are shared with
``grounding`` only.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from bot.services.accounts.redaction import EMAIL_PATTERN, PHONE_PATTERN, looks_like_phone
from bot.services.drafting.lexicon import COMMON_CAPITALISED_WORDS

ClaimKind = Literal[
    "money", "percent", "date", "number", "name", "email", "phone", "link", "reference"
]

_MONTHS = (
    {name.lower(): index for index, name in enumerate(calendar.month_name) if name}
    | {name.lower(): index for index, name in enumerate(calendar.month_abbr) if name}
    | {"sept": 9}
)
_MONTH_RE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_MAGNITUDES = {
    "k": Decimal(1_000),
    "thousand": Decimal(1_000),
    "m": Decimal(1_000_000),
    "mn": Decimal(1_000_000),
    "million": Decimal(1_000_000),
    "b": Decimal(1_000_000_000),
    "bn": Decimal(1_000_000_000),
    "billion": Decimal(1_000_000_000),
}
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"

_PATTERNS: list[tuple[ClaimKind, re.Pattern[str]]] = [
    ("email", EMAIL_PATTERN),
    (
        "link",
        re.compile(
            r"(?:https?://|www\.)[^\s<>()\"']+"
            r"|\b(?:[a-z0-9-]+\.)+(?:com|net|org|io|co|ai|app|dev|biz|info|us|uk|de)\b(?:/\S*)?",
            re.IGNORECASE,
        ),
    ),
    ("reference", re.compile(r"\b[A-Za-z]{1,8}[-_]\d[\w-]*\b")),
    ("phone", PHONE_PATTERN),
    ("number", re.compile(r"(?<![\w/])\d{1,3}/(?:10|100)(?![\w/])")),
    ("date", re.compile(r"\b\d{4}-\d{2}-\d{2}\b")),
    (
        "date",
        re.compile(
            rf"\b{_MONTH_RE}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b"
            rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE}(?:,?\s+\d{{4}})?\b"
            rf"|\b{_MONTH_RE}\s+\d{{4}}\b"
        ),
    ),
    ("date", re.compile(r"(?<![\w/])\d{1,2}/\d{1,2}(?:/\d{2,4})?(?![\w/])")),
    (
        "money",
        re.compile(
            rf"[$€£¥₹]\s?(?:{_NUMBER})(?:\s?(?:k|K|m|M|mn|bn|B|thousand|million|billion)\b)?"
            rf"|\b(?:{_NUMBER})\s?(?:k|K|m|M|mn|bn|thousand|million|billion)?\s?"
            r"(?:USD|EUR|GBP|dollars|euros|pounds)\b"
        ),
    ),
    ("percent", re.compile(rf"(?<![\w.])(?:{_NUMBER})\s?(?:%|percent\b|per cent\b)")),
]
_TIME_OF_DAY = re.compile(r"\b\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}:\d{2}\b", re.I)
_LIST_MARKER = re.compile(r"^[ \t]*(?:[-*•]\s*)?\d{1,2}[.)](?=\s)", re.MULTILINE)
_IGNORED_NUMERALS = re.compile(r"\b24/7\b|\b\d+(?:st|nd|rd|th)\b|\b[A-Za-z]+\d+[A-Za-z]*\b")
_PLAIN_NUMBER = re.compile(rf"(?<![\w.$€£¥₹-])(?:{_NUMBER})(?![\w%])")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s*[\"'“‘(\[]*|\n)[\s*_#>•\-\d.)]*$")
_DAYS_AWAY = re.compile(r"\b(?:in|within) (\d+) days\b|\b(\d+) days (?:ago|from today)\b")
_ID_TOKEN = re.compile(r"\b[A-Za-z]+[-_]\d[\w-]*\b")


@dataclass(frozen=True, slots=True)
class Claim:
    """One checkable statement in a draft: its kind, the text as written, and where."""

    kind: ClaimKind
    text: str
    start: int
    end: int
    field: str = "body"
    # For names: the words that must be grounded (a sentence's first word is exempt,
    # being capitalised whatever it is) while ``text`` keeps the whole name for people.
    checked_text: str | None = None

    def label(self) -> str:
        return f"{self.kind}: {self.text}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "field": self.field}


# --------------------------------------------------------------------------- extraction
def extract_claims(text: str, *, field_name: str = "body", check_names: bool = True) -> list[Claim]:
    """Every checkable claim in ``text``, in order of appearance, spans never overlapping."""
    taken: list[tuple[int, int]] = []
    claims: list[Claim] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def take(kind: ClaimKind, start: int, end: int) -> None:
        taken.append((start, end))
        claims.append(Claim(kind, text[start:end], start, end, field_name))

    for pattern in (_TIME_OF_DAY, _LIST_MARKER, _IGNORED_NUMERALS):
        for match in pattern.finditer(text):
            taken.append(match.span())
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "phone" and not looks_like_phone(match.group()):
                continue
            if kind == "date" and "/" in match.group() and not _slash_pairs(match.group()):
                continue  # "71/46 seats" is a ratio, read as two numbers below
            if kind == "link" and "@" in text[max(0, start - 1) : start + 1]:
                continue
            stripped = match.group().rstrip(".,;:")
            end = start + len(stripped)
            if free(start, end):
                take(kind, start, end)
    for match in _PLAIN_NUMBER.finditer(text):
        if free(*match.span()):
            take("number", *match.span())
    if check_names:
        for start, check_start, end in _name_runs(text, taken):
            claims.append(
                Claim("name", text[start:end], start, end, field_name, text[check_start:end])
            )
    return sorted(claims, key=lambda claim: claim.start)


def _name_runs(text: str, taken: list[tuple[int, int]]) -> Iterator[tuple[int, int, int]]:
    """Runs of capitalised words that may be names, minus ordinary words at either end.

    Yields (start, start of the words to check, end).
    """
    run: list[re.Match[str]] = []

    def flush() -> Iterator[tuple[int, int, int]]:
        words = list(run)
        while words and _normal(words[0].group()) in COMMON_CAPITALISED_WORDS:
            words.pop(0)
        while words and _normal(words[-1].group()) in COMMON_CAPITALISED_WORDS:
            words.pop()
        if not words:
            return
        checked = list(words)
        if words[0] is run[0] and _SENTENCE_START.search(text[: run[0].start()]):
            checked.pop(0)  # a sentence's first word is capitalised whatever it is
        if checked:
            yield words[0].start(), checked[0].start(), words[-1].end()

    for match in _WORD.finditer(text):
        word = match.group()
        start, end = match.span()
        overlapping = any(not (end <= s or start >= e) for s, e in taken)
        capitalised = word[0].isupper() and not (len(word) > 1 and word.isupper())
        if capitalised and not overlapping:
            if run and not re.fullmatch(r"[ \t]", text[run[-1].end() : start]):
                yield from flush()
                run = []
            run.append(match)
        else:
            yield from flush()
            run = []
    yield from flush()


def mark_unsupported(text: str, claims: Iterable[Claim]) -> str:
    """Wrap each unsupported claim so nobody can send it without noticing."""
    for claim in sorted(claims, key=lambda c: c.start, reverse=True):
        text = f"{text[: claim.start]}[unverified: {claim.text}]{text[claim.end :]}"
    return text


# --------------------------------------------------------------------------- values
def _normal(word: str) -> str:
    """Lower case without a possessive or stray punctuation: ``Acme’s`` → ``acme``."""
    word = word.lower().replace("’", "'")
    return word.removesuffix("'s").strip("'-")


def _slash_pairs(text: str) -> set[tuple[int, int]]:
    """The (month, day) readings of ``6/30`` or ``30/6`` that are real calendar days."""
    first, second = (int(part) for part in text.split("/")[:2])
    return {
        (month, day)
        for month, day in ((first, second), (second, first))
        if 1 <= month <= 12 and 1 <= day <= calendar.monthrange(2024, month)[1]
    }
