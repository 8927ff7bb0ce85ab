"""How figures read in answers: money, scores, deltas, dates, ages.

One module so an answer, the App Home, the terminal and the tests that check
answers against the store all print a number the same way.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from bot.money import format_money

BAND_EMOJI = {"red": "🔴", "yellow": "🟡", "green": "🟢"}
MINUS = "−"


def money(amount: Decimal | float | int | None, currency: str = "USD") -> str:
    """``$120,000`` (cents only when there are any), in the team's locale (``bot.money``)."""
    if amount is None:
        return "not recorded"
    return format_money(amount, currency)


def score(value: float | None) -> str:
    """Health scores to one decimal place at most ("72" or "71.5")."""
    if value is None:
        return "n/a"
    rounded = round(float(value), 1)
    return f"{rounded:.0f}" if rounded == int(rounded) else f"{rounded:.1f}"


def signed(value: float | None, *, unit: str = "") -> str:
    """``+5``, ``−3.5`` (a real minus sign), ``±0``."""
    if value is None:
        return "n/a"
    rounded = round(float(value), 1)
    if rounded == 0:
        return f"±0{unit}"
    text = score(abs(rounded))
    return f"{'+' if rounded > 0 else MINUS}{text}{unit}"


def nps(value: float | None) -> str:
    """Net Promoter Score as the whole number people quote: ``+20``, ``−33``."""
    if value is None:
        return "n/a"
    return signed(float(round(value)))


def percent(fraction: float | None, *, signed_value: bool = False) -> str:
    """A fraction as a whole percentage: 0.42 → ``42%`` (``+42%`` when signed)."""
    if fraction is None:
        return "n/a"
    value = round(fraction * 100)
    if signed_value:
        if value == 0:
            return "±0%"
        return f"{'+' if value > 0 else MINUS}{abs(value)}%"
    return f"{value}%"


def change_fraction(now: float | None, before: float | None) -> float | None:
    """Relative change from ``before`` to ``now``; None when there is no base to compare."""
    if now is None or before is None or before == 0:
        return None
    return (now - before) / before


def day(value: date | datetime | None) -> str:
    """``3 Mar 2025``: unambiguous in every locale."""
    if value is None:
        return "unknown"
    if isinstance(value, datetime):
        value = value.date()
    return f"{value.day} {value:%b %Y}"


def moment(value: datetime) -> str:
    """``3 Mar 2025 14:05 UTC``."""
    return f"{day(value)} {value:%H:%M} {value.tzname() or 'UTC'}"


def days_until(target: date, today: date) -> str:
    """``in 45 days``, ``today``, ``12 days ago``."""
    delta = (target - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta > 0:
        return f"in {delta} days"
    return f"{-delta} day{'s' if delta != -1 else ''} ago"


def age(elapsed: timedelta) -> str:
    """How old data is, in the largest sensible unit: ``5 min``, ``3 h``, ``2 days``."""
    seconds = max(int(elapsed.total_seconds()), 0)
    if seconds < 3600:
        return f"{max(seconds // 60, 0)} min"
    if seconds < 48 * 3600:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


def band_label(band: str | None) -> str:
    """``🔴 red``; unscored accounts say so instead of guessing."""
    if not band:
        return "⚪ not scored"
    return f"{BAND_EMOJI.get(band, '⚪')} {band}"


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    return f"{count} {noun if count == 1 else (plural_noun or noun + 's')}"


def seats_used_text(avg_active_users: float, licensed_seats: int) -> str:
    """``164.3 of 180 seats (91%)``: the glossary's seats used, read the same on the card,
    in CTA texts and in the health driver ("164.3 of 180 licensed seats active …")."""
    return (
        f"{avg_active_users:,.1f} of {licensed_seats:,} seats "
        f"({percent(avg_active_users / licensed_seats)})"
    )
