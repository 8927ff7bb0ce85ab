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
    word = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count:,} {word}"


def change_words(delta: float, unit: str) -> str:
    """``up 5 points`` / ``down 15 points`` / ``unchanged``."""
    amount = round_half_up(abs(delta))
    if amount == 0:
        return "unchanged"
    return f"{'up' if delta > 0 else 'down'} {plural(amount, unit)}"
