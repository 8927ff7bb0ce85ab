"""The grounding check: every figure, date and name in a draft must be in its facts pack.

Claims are read out of the draft with patterns (money, percentages, dates, plain
numbers, contact details, links, capitalised names) and each is compared with the same
kinds of value read out of the pack's fact sentences. A rounded figure matches when
the fact rounds to it at the precision the draft used ("$1.2M" for $1,234,567, "42%"
for 41.7%). Customer-written quotes in the pack ground contact details only: a number
inside a ticket is what a customer typed, not a fact csbot can vouch for.

The check is deliberately strict (an unknown capitalised word is treated as a name);
a false alarm costs one regeneration or a CSM's glance, an invented fact costs trust.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal

from bot.services.accounts.redaction import EMAIL_PATTERN, PHONE_PATTERN, looks_like_phone
from bot.services.drafting.facts import FactsPack
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


@dataclass(frozen=True, slots=True)
class GroundingReport:
    verified: bool
    unsupported: tuple[Claim, ...]
    checked: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "unsupported": [claim.to_dict() for claim in self.unsupported],
            "checked": self.checked,
        }


@dataclass
class GroundingIndex:
    """Everything the pack states, in comparable form."""

    money: set[Decimal] = field(default_factory=set)
    percents: set[Decimal] = field(default_factory=set)
    numbers: set[Decimal] = field(default_factory=set)
    dates: set[date] = field(default_factory=set)
    words: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    domains: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    slashed: set[str] = field(default_factory=set)  # "10/8" as written ("10/8 seats")

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> GroundingIndex:
        """The figures stated in already-rendered texts (the assistant's tool results).

        Money, percentages and numbers only: what an LLM reply built from those texts
        may quote. Money also counts as a number and vice versa ("$120,000" / "120000").
        """
        index = cls()
        for text in texts:
            for claim in extract_claims(text, check_names=False):
                if claim.kind == "money":
                    value = _money_value(claim.text)
                    if value is not None:
                        index.money.add(value[0])
                        index.numbers.add(value[0])
                elif claim.kind in ("percent", "number"):
                    number = _first_number(claim.text)
                    if number is not None:
                        target = index.percents if claim.kind == "percent" else index.numbers
                        target.add(number)
                        index.money.add(number)
        return index

    @classmethod
    def from_pack(cls, pack: FactsPack) -> GroundingIndex:
        index = cls()
        index.dates.add(pack.today)
        index.words.update(_words(pack.account_name))
        if pack.account.domain:
            index.domains.add(pack.account.domain.lower().removeprefix("www."))
        for contact in pack.contacts:
            index.words.update(_words(contact.name))
            if contact.email:
                index.emails.add(contact.email.lower())
        for fact in pack.facts:
            index.add_statement(fact.text)
            for name in fact.names:
                index.words.update(_words(name))
            if fact.quoted:
                index.add_contact_details(fact.quoted)
        return index

    def add_statement(self, text: str) -> None:
        """Index a trusted sentence: its figures, dates, ids and words."""
        for claim in extract_claims(text, check_names=False):
            self._add_claim_value(claim)
        self.ids.update(token.lower() for token in _ID_TOKEN.findall(text))
        for match in _DAYS_AWAY.finditer(text):
            # "in 6 weeks" / "in about 2 months" restate a distance the pack gives in days.
            days = int(match.group(1) or match.group(2))
            self.numbers.update({Decimal(round(days / 7)), Decimal(round(days / 30.44))})
        self.words.update(_words(text))

    def add_contact_details(self, text: str) -> None:
        for claim in extract_claims(text, check_names=False):
            if claim.kind == "email":
                self.emails.add(claim.text.lower())
            elif claim.kind == "phone":
                self.phones.add(_digits(claim.text))

    def _add_claim_value(self, claim: Claim) -> None:
        if claim.kind == "money":
            value = _money_value(claim.text)
            if value is not None:
                self.money.add(value[0])
                self.numbers.add(value[0])
        elif claim.kind == "percent":
            number = _first_number(claim.text)
            if number is not None:
                self.percents.add(number)
                self.numbers.add(number)
        elif claim.kind == "number":
            number = _first_number(claim.text)
            if number is not None:
                self.numbers.add(number)
            if "/" in claim.text:  # "4/10" also states the scale
                self.numbers.add(Decimal(claim.text.rsplit("/", 1)[1]))
        elif claim.kind == "date":
            if "/" in claim.text:
                self.slashed.add(claim.text)
            self.dates.update(_dates_in(claim.text))
            self.numbers.update(Decimal(found.year) for found in _dates_in(claim.text))
        elif claim.kind == "email":
            self.emails.add(claim.text.lower())
        elif claim.kind == "phone":
            self.phones.add(_digits(claim.text))
        elif claim.kind == "link":
            self.domains.add(_domain(claim.text))

    # --- checking ------------------------------------------------------------------
    def supports(self, claim: Claim) -> bool:
        if claim.kind == "money":
            value = _money_value(claim.text)
            return value is not None and _matches(value[0], value[1], self.money)
        if claim.kind == "percent":
            number = _first_number(claim.text)
            return number is not None and _matches(number, _precision(claim.text), self.percents)
        if claim.kind == "number":
            number = _first_number(claim.text)
            if number is None:
                return True
            if 1900 <= number <= 2100 and number == number.to_integral_value():
                return number in {Decimal(found.year) for found in self.dates} or (
                    number in self.numbers
                )
            return _matches(number, _precision(claim.text), self.numbers)
        if claim.kind == "date":
            return self._supports_date(claim.text)
        if claim.kind == "email":
            return claim.text.lower() in self.emails
        if claim.kind == "phone":
            return _digits(claim.text) in self.phones
        if claim.kind == "reference":
            return claim.text.lower() in self.ids
        if claim.kind == "link":
            domain = _domain(claim.text)
            return any(domain == known or domain.endswith("." + known) for known in self.domains)
        if claim.kind == "name":
            return all(
                word in self.words or word in COMMON_CAPITALISED_WORDS
                for word in _words(claim.checked_text or claim.text)
            )
        return False

    def _supports_date(self, text: str) -> bool:
        month_day = re.search(rf"({_MONTH_RE})\s+(\d{{1,2}})|(\d{{1,2}})\D+?({_MONTH_RE})", text)
        year_match = re.search(r"\b(\d{4})\b", text)
        year = int(year_match.group(1)) if year_match else None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return any(found.isoformat() == text for found in self.dates)
        if "/" in text:
            return text in self.slashed or any(
                (found.month, found.day) in _slash_pairs(text) for found in self.dates
            )
        if month_day is None and year is not None:  # "June 2026"
            month = _month_number(text)
            return any(d.year == year and d.month == month for d in self.dates)
        if month_day is None:
            return False
        if month_day.group(1):
            month, day = _month_number(month_day.group(1)), int(month_day.group(2))
        else:
            month, day = _month_number(month_day.group(4)), int(month_day.group(3))
        return any(
            d.month == month and d.day == day and (year is None or d.year == year)
            for d in self.dates
        )


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


def check_grounding(fields: Iterable[tuple[str, str]], index: GroundingIndex) -> GroundingReport:
    """Check each named text (``("subject", ...)``, ``("body", ...)``) against the index."""
    unsupported: list[Claim] = []
    checked = 0
    for field_name, text in fields:
        for claim in extract_claims(text, field_name=field_name):
            checked += 1
            if claim.kind == "name" and _is_known_id(claim.text, index):
                continue
            if not index.supports(claim):
                unsupported.append(claim)
    return GroundingReport(
        verified=not unsupported, unsupported=tuple(unsupported), checked=checked
    )


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


def _words(text: str) -> set[str]:
    return {_normal(match.group()) for match in _WORD.finditer(text)}


def _digits(text: str) -> str:
    return "".join(character for character in text if character.isdigit())


def _domain(text: str) -> str:
    text = re.sub(r"^(?:https?://)?(?:www\.)?", "", text.lower())
    return text.split("/", 1)[0]


def _is_known_id(text: str, index: GroundingIndex) -> bool:
    return text.lower() in index.ids


def _first_number(text: str) -> Decimal | None:
    match = re.search(_NUMBER, text)
    if match is None:
        return None
    try:
        return Decimal(match.group().replace(",", ""))
    except InvalidOperation:
        return None


def _precision(text: str) -> Decimal:
    match = re.search(_NUMBER, text)
    if match is None or "." not in match.group():
        return Decimal(1)
    decimals = len(match.group().split(".", 1)[1])
    return Decimal(1).scaleb(-decimals)


def _money_value(text: str) -> tuple[Decimal, Decimal] | None:
    """(value, precision) of a money claim: ``$1.2M`` → (1200000, 100000)."""
    number = _first_number(text)
    if number is None:
        return None
    precision = _precision(text)
    suffix = re.search(r"(?<=\d)\s?(k|m|mn|b|bn|thousand|million|billion)\b", text, re.I)
    if suffix:
        scale = _MAGNITUDES[suffix.group(1).lower()]
        return number * scale, precision * scale
    return number, precision


def _matches(value: Decimal, precision: Decimal, known: set[Decimal]) -> bool:
    for fact in known:
        if fact == value:
            return True
        rounded = (fact / precision).quantize(Decimal(1), rounding=ROUND_HALF_UP) * precision
        if rounded == value:
            return True
    return False


def _month_number(text: str) -> int:
    for token in re.findall(r"[A-Za-z]+", text):
        number = _MONTHS.get(token.lower())
        if number:
            return number
    return 0


def _slash_pairs(text: str) -> set[tuple[int, int]]:
    """The (month, day) readings of ``6/30`` or ``30/6`` that are real calendar days."""
    first, second = (int(part) for part in text.split("/")[:2])
    return {
        (month, day)
        for month, day in ((first, second), (second, first))
        if 1 <= month <= 12 and 1 <= day <= calendar.monthrange(2024, month)[1]
    }


def _dates_in(text: str) -> set[date]:
    """Full dates (with a year) written in ``text``."""
    found: set[date] = set()
    for match in re.finditer(r"\b(\d{4})-(\d{2})-(\d{2})\b", text):
        found |= _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    for match in re.finditer(rf"({_MONTH_RE})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})", text):
        found |= _safe_date(int(match.group(3)), _month_number(match.group(1)), int(match.group(2)))
    for match in re.finditer(
        rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE}),?\s+(\d{{4}})", text
    ):
        found |= _safe_date(int(match.group(3)), _month_number(match.group(2)), int(match.group(1)))
    return found


def _safe_date(year: int, month: int, day: int) -> set[date]:
    try:
        return {date(year, month, day)}
    except ValueError:
        return set()
