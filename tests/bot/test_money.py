"""One money formatter for every surface: Babel's CLDR formats plus the house rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.money import format_money, format_signed_money, format_totals
from bot.services.drafting.fact_format import format_money as fact_money
from bot.slack.formatting import money as figure_money


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (7_519_200, "USD", "$7,519,200"),
        (Decimal("1200.50"), "USD", "$1,200.50"),
        (300, "EUR", "€300"),
        (1200, "GBP", "£1,200"),
        (1200, "CHF", "CHF 1,200"),  # a code as the symbol is spaced from the digits
        (-5, "USD", "-$5"),
    ],
)
def test_every_surface_writes_money_the_same_way(amount, currency, text):
    assert format_money(amount, currency, locale="en_US") == text
    assert figure_money(amount, currency) == text  # answers, App Home, terminal
    assert fact_money(amount, currency) == text  # facts pack, drafts, grounding check


def test_the_locale_decides_separators_and_symbol_position():
    assert format_money(Decimal("1200.50"), "EUR", locale="de_DE") == "1.200,50\xa0€"
    assert format_money(1200, "EUR", locale="de_DE") == "1.200\xa0€"


def test_totals_stay_per_currency_and_changes_carry_a_sign():
    assert format_totals([("USD", 1200), ("EUR", 300)], locale="en_US") == "$1,200 + €300"
    assert format_totals([], locale="en_US") == "$0"
    assert format_signed_money(40_000, locale="en_US") == "+$40,000"
    assert format_signed_money(-1200, "EUR", locale="en_US") == "−€1,200"
    assert format_signed_money(0, locale="en_US") == "±$0"


def test_an_unknown_locale_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown locale 'xx'"):
        format_money(1, locale="xx")
