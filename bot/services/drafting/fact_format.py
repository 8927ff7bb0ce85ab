"""How facts are written in words: money, dates, percentages and counts.

The facts pack, the template drafter and the grounding check share these, so a value
the pack states ("$120,000", "June 30, 2026", "42%") is written the same way wherever it
appears, and the grounding check can read every form back.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from bot.money import format_money as money_text


def format_money(amount: Decimal | float | int, currency: str = "USD") -> str:
    """Whole units with thousands separators; cents only when there are some.

    The one formatter in ``bot.money``: drafts, the facts pack and the grounding check
    write money exactly as Slack answers and the digest do.
    """
    return money_text(amount, currency)


def format_date(day: date) -> str:
    """``June 30, 2026``: unambiguous in every locale, unlike 06/30 vs 30/06."""
    return f"{day:%B} {day.day}, {day.year}"


def format_percent(fraction: float) -> str:
    """A fraction (0.42) as a whole percentage (``42%``)."""
    return f"{round_half_up(abs(fraction) * 100)}%"


def format_count(value: float) -> str:
    """A count or average rounded to a whole number, with separators."""
    return f"{round_half_up(value):,}"


def round_half_up(value: float) -> int:
    """Round like people do (2.5 → 3), not like Python's banker's rounding."""
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 open ticket`` / ``3 open tickets``: the count and the noun that agrees with it."""
    return f"{count:,} {agree(count, singular, plural_form or f'{singular}s')}"


def agree(count: int, singular: str, plural_form: str) -> str:
    """The word (or phrase) that agrees with ``count``: ``agree(n, "it is", "they are")``."""
    return singular if count == 1 else plural_form


# Words spelt with a vowel that start with a consonant sound ("a user"), and the reverse.
_CONSONANT_SOUND = ("uni", "usa", "use", "usu", "uti", "eu", "one", "once", "ubiq")
_VOWEL_SOUND = ("hour", "honest", "honou", "heir")
# Initialisms read letter by letter: "an SMB", "an NPS survey", "a CSM".
_VOWEL_SOUND_LETTERS = frozenset("AEFHILMNORSX")


def with_article(phrase: str) -> str:
    """``a mid-market customer``, ``an enterprise customer``, ``an SMB customer``."""
    word = phrase.split(maxsplit=1)[0] if phrase.split() else ""
    return f"{indefinite_article(word)} {phrase}"


def indefinite_article(word: str) -> str:
    """``a`` or ``an`` for the sound ``word`` starts with (spelling rules plus exceptions)."""
    if not word:
        return "a"
    head = word.split("-", 1)[0]
    if len(head) > 1 and head.isupper():
        return "an" if head[0] in _VOWEL_SOUND_LETTERS else "a"
    lower = word.lower()
    if lower.startswith(_VOWEL_SOUND):
        return "an"
    if lower.startswith(_CONSONANT_SOUND):
        return "a"
    return "an" if lower[0] in "aeiou" else "a"


def change_words(delta: float, unit: str) -> str:
    """``up 5 points`` / ``down 15 points`` / ``unchanged``."""
    amount = round_half_up(abs(delta))
    if amount == 0:
        return "unchanged"
    return f"{'up' if delta > 0 else 'down'} {plural(amount, unit)}"
