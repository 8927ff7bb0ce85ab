"""The one way csbot writes an amount of money, on every surface.

Slack blocks, answers, drafts, the grounding check and the digest chart all call
:func:`format_money`, so "$7,519,200" reads the same everywhere and a team that sets
``CSBOT_LOCALE`` (e.g. ``de_DE``) gets its own separators and symbol placement.
Babel's CLDR data does the locale work; this module adds two house rules:
whole amounts drop the cents ("$120,000", not "$120,000.00"), and a currency code
used as a symbol is spaced from the digits ("CHF 1,200").

It sits below ``bot.services`` and ``bot.slack`` (it imports nothing of ours), so
both layers can use it. The locale is set once at start-up from the settings
(:func:`set_locale`); the settings module stays the only one reading the environment.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import NumberPattern, format_currency

DEFAULT_LOCALE = "en_US"
# An ISO code used as the symbol ("CHF1,200") is spaced from the digits, as CLDR's
# currency spacing asks; compact suffixes ("140K") are left alone.
_CODE_NEXT_TO_DIGIT = re.compile(r"(?<=\b[A-Z]{3})(?=[-\d])|(?<=\d)(?=[A-Z]{3}\b)")

_locale = DEFAULT_LOCALE


def set_locale(name: str) -> None:
    """Use ``name`` (``en_US``, ``de_DE``, ``en-GB``…) for every amount formatted from now on.

    Raises:
        ValueError: when Babel does not know the locale.
    """
    global _locale
    _locale = str(parse_locale(name))


def current_locale() -> str:
    return _locale


@lru_cache(maxsize=16)
def parse_locale(name: str) -> Locale:
    """A Babel locale from ``en_US`` or ``en-US``; a clear error for anything else."""
    try:
        return Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown locale {name!r} (expected e.g. en_US or de_DE)") from exc


@lru_cache(maxsize=16)
def _whole_pattern(locale_name: str) -> NumberPattern:
    """The locale's currency pattern without decimals, for amounts with no cents."""
    pattern = copy.copy(parse_locale(locale_name).currency_formats["standard"])
    pattern.frac_prec = (0, 0)
    return pattern


def format_money(
    amount: Decimal | float | int, currency: str = "USD", *, locale: str | None = None
) -> str:
    """``$120,000`` (cents only when there are any), ``€300``, ``CHF 1,200.50``.

    Amounts are rounded half-up to the cent first, so 0.005 never flips with binary floats.
    """
    name = locale or _locale
    code = (currency or "USD").upper()
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    loc = parse_locale(name)
    if value == value.to_integral_value():
        text = _whole_pattern(name).apply(value, loc, currency=code, currency_digits=False)
    else:
        text = format_currency(value, code, locale=loc)
    return _CODE_NEXT_TO_DIGIT.sub(" ", text)


def format_signed_money(
    amount: Decimal | float | int, currency: str = "USD", *, locale: str | None = None
) -> str:
    """A change in money: ``+$40,000``, ``−$1,200`` (a real minus sign), ``±$0``."""
    value = Decimal(str(amount))
    text = format_money(abs(value), currency, locale=locale)
    if value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) == 0:
        return f"±{text}"
    return f"{'+' if value > 0 else '−'}{text}"


def format_totals(
    totals: Iterable[tuple[str, Decimal | float | int]],
    *,
    empty_currency: str = "USD",
    locale: str | None = None,
) -> str:
    """Totals per currency, never added across currencies: ``$1,200 + €300``.

    No totals at all reads as zero in ``empty_currency`` (``$0``).
    """
    parts = [format_money(amount, currency, locale=locale) for currency, amount in totals]
    return " + ".join(parts) if parts else format_money(0, empty_currency, locale=locale)


def format_compact_money(
    amount: Decimal | float | int, currency: str = "USD", *, locale: str | None = None
) -> str:
    """Short amounts for chart axes: ``$140K``, ``$1.2M`` (CLDR's compact currency format)."""
    from babel.numbers import format_compact_currency

    code = (currency or "USD").upper()
    loc = parse_locale(locale or _locale)
    text = format_compact_currency(Decimal(str(amount)), code, locale=loc, fraction_digits=1)
    return _CODE_NEXT_TO_DIGIT.sub(" ", text)
