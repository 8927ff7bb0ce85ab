"""The grounding check: every figure, date and name in a draft must be in its facts pack.

Claims are read out of the draft with patterns (money, percentages, dates, plain
numbers, contact details, links, capitalised names; see ``claims``) and each is
compared with the same kinds of value read out of the pack's fact sentences. A
rounded figure matches when the fact rounds to it at the precision the draft used
("$1.2M" for $1,234,567, "42%" for 41.7%). Customer-written quotes in the pack ground
contact details only: a number inside a ticket is what a customer typed, not a fact
csbot can vouch for.

The check is deliberately strict (an unknown capitalised word is treated as a name);
a false alarm costs one regeneration or a CSM's glance, an invented fact costs trust.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from bot.services.drafting.claims import (
    _DAYS_AWAY,
    _ID_TOKEN,
    _MAGNITUDES,
    _MONTH_RE,
    _MONTHS,
    _NUMBER,
    _WORD,
    Claim,
    _normal,
    _slash_pairs,
    extract_claims,
)
from bot.services.drafting.facts import FactsPack
from bot.services.drafting.lexicon import COMMON_CAPITALISED_WORDS


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
