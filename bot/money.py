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

MoneyTotals = list[tuple[str, float]]
"""Amounts by currency, ``(currency, amount)``, largest first: one total per currency."""


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


# --------------------------------------------------------------------------- typed amounts
_SYMBOLS: dict[str, str | None] = {
    "$": None,  # dollars of some country: the account's currency decides
    "US$": "USD",
    "C$": "CAD",
    "CA$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "NZ$": "NZD",
    "R$": "BRL",
    "€": "EUR",
    "£": "GBP",
    "¥": None,  # yen or yuan
    "₹": "INR",
    "₩": "KRW",
    "₪": "ILS",
    "₺": "TRY",
    "zł": "PLN",
    "kr": None,  # Swedish, Norwegian or Danish krone
    "Fr.": "CHF",
}
_SPACES = " \u00a0\u202f\u2009'’"
_NUMBER = re.compile(r"\d[\d.,\u00a0\u202f\u2009'’ ]*")


class AmountError(ValueError):
    """A typed amount that is not money; the message says what was expected."""


def parse_money_input(text: str) -> tuple[Decimal, str | None]:
    """What a person typed as an amount → (amount, ISO currency if they named one).

    Accepts a currency symbol or ISO code before or after the digits (``$90,000``,
    ``€ 90.000``, ``90 000 CHF``, ``GBP 1,200.50``) and any of the usual thousands
    separators (``,`` ``.`` space, ``'``). One separator followed by exactly three
    digits groups thousands (``1.200`` is 1200: ARR is never a fraction of a unit);
    otherwise the last ``.`` or ``,`` marks the cents. ``$`` alone names no currency.

    Raises:
        AmountError: for anything else (words, two currencies, ``1,2,3``, a minus sign).
    """
    raw = text.strip()
    match = _NUMBER.search(raw)
    if match is None:
        raise AmountError("no digits")
    before, after = raw[: match.start()].strip(), raw[match.end() :].strip()
    if before.startswith(("-", "−")) or before.endswith(("-", "−")):
        raise AmountError("cannot be negative")
    if before and after:
        raise AmountError("a currency goes either before or after the digits")
    currency = _currency_of(before or after)
    return _number(match.group().strip(_SPACES)), currency


def _currency_of(marker: str) -> str | None:
    if not marker:
        return None
    if marker in _SYMBOLS:
        return _SYMBOLS[marker]
    code = marker.upper()
    if len(code) == 3 and code.isalpha():
        from babel.numbers import is_currency

        if is_currency(code):
            return code
    raise AmountError(f"“{marker}” is not a currency")


def _number(digits: str) -> Decimal:
    for space in _SPACES:
        digits = digits.replace(space, "")
    seps = [char for char in digits if char in ".,"]
    decimal_sep: str | None = None
    if len(set(seps)) == 2:
        decimal_sep = digits[max(digits.rfind("."), digits.rfind(","))]
    elif len(seps) == 1 and len(digits) - digits.index(seps[0]) - 1 != 3:
        decimal_sep = seps[0]
    whole, _, cents = digits.rpartition(decimal_sep) if decimal_sep else (digits, "", "")
    if decimal_sep and (not cents.isdigit() or len(cents) > 2):
        raise AmountError("at most two digits after the decimal separator")
    groups = re.split(r"[.,]", whole)
    if any(not group.isdigit() for group in groups) or (
        len(groups) > 1 and (len(groups[0]) > 3 or any(len(group) != 3 for group in groups[1:]))
    ):
        raise AmountError("digits are grouped in threes")
    return Decimal("".join(groups) + (f".{cents}" if cents else ""))
