"""Whole money amounts for stored texts (drivers), in the amount's own currency.

The domain package may not import ``bot`` (see the import contracts), so it carries this
small formatter over Babel itself. It writes the CLDR ``en`` style — ``$120,000``,
``€90,000``, ``CHF 5,000``, ``¥1,200,000`` — because driver texts are computed once by
the scoring job and stored, not rendered per reader.
"""

from __future__ import annotations

import copy
import math
from decimal import Decimal
from functools import lru_cache

from babel.numbers import NumberPattern, UnknownCurrencyError, get_currency_symbol, parse_pattern

_LOCALE = "en"


@lru_cache(maxsize=1)
def _pattern() -> NumberPattern:
    pattern = copy.copy(parse_pattern("¤#,##0"))
    pattern.frac_prec = (0, 0)
    return pattern


def whole_money(amount: float | int | Decimal | None, currency: str = "USD") -> str:
    """``$120,000``; a code whose symbol is the code itself gets a space: ``CHF 5,000``.

    A missing amount (NaN or None) reads ``n/a`` rather than a made-up zero.
    """
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "n/a"
    code = (currency or "USD").upper()
    value = Decimal(str(amount))
    try:
        symbol = get_currency_symbol(code, locale=_LOCALE)
    except UnknownCurrencyError:
        symbol = code
    text = _pattern().apply(value, _LOCALE, currency=code, currency_digits=False)
    if symbol == code or symbol[-1:].isalpha():
        text = text.replace(symbol, f"{symbol}\N{NO-BREAK SPACE}", 1) if symbol in text else text
    return text.replace("\N{NO-BREAK SPACE}", " ")
