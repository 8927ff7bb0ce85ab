"""Ticket phrase banks by category: issues (subjects with matching problems) and details.

An *issue* pairs subjects with problem statements about the same thing, so a
ticket's subject and body always agree ("SSO redirect loop" is never followed by
a question about invoices); slot values ({feature}, {integration}…) are shared
between the two. Details are category-wide colour that fits any issue. The
sentences are package data (``data/ticket_texts.json``); this module gives them
the shape :class:`~bot.sources.demo.texts.TextComposer` draws from.
"""

from __future__ import annotations

from bot.sources.demo.banks import bank

Issue = tuple[tuple[str, ...], tuple[str, ...]]

_TICKETS = bank("ticket_texts")

TICKET_ISSUES: dict[str, tuple[Issue, ...]] = {
    category: tuple((issue["subjects"], issue["problems"]) for issue in issues)
    for category, issues in _TICKETS["issues"].items()
}
TICKET_DETAILS: dict[str, tuple[str, ...]] = _TICKETS["details"]
