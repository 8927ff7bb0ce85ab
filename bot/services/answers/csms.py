"""Finding a CSM named in a question: "Priya's red accounts", "maya's book", "owned by Tom".

A first name alone is common English often enough ("Will", "May") that it only
counts as a CSM when the question treats it as a book's owner: possessive in the
typed text, after "by"/"for"/"of", or before a book word ("accounts", "book"…).
"""

from __future__ import annotations

import re

from bot.db.queries.rankings import CsmName
from bot.services.accounts.names import normalise
from bot.services.answers.question_parser import CsmFinder, CsmMention

_OWNER_BEFORE = frozenset({"by", "for", "of", "to", "owns", "owner"})
_BOOK_AFTER = frozenset(
    [
        "book",
        "books",
        "accounts",
        "account",
        "portfolio",
        "customers",
        "clients",
        "renewals",
        "red",
        "yellow",
        "green",
        "at",
        "risk",
        "arr",
        "tickets",
        "ctas",
        "open",
        "top",
        "bottom",
        "nps",
        "health",
        "escalations",
        "invoices",
        "churned",
        "expansion",
        "biggest",
    ]
)


def csm_finder(csms: list[CsmName], typed: str) -> CsmFinder:
    """A finder over the store's CSMs for one question (``typed`` is the raw text)."""
    full = {normalise(c.name): c for c in csms}
    first: dict[str, list[CsmName]] = {}
    for csm in csms:
        words = normalise(csm.name).split()
        if words:
            first.setdefault(words[0], []).append(csm)
    lowered = typed.lower().replace("’", "'")

    def find(words: list[str]) -> CsmMention | None:
        for start in range(len(words)):
            two = " ".join(words[start : start + 2])
            if len(words) > start + 1 and two in full:
                return CsmMention(full[two].csm_id, full[two].name, start, start + 2)
            matches = first.get(words[start], [])
            if len(matches) != 1:
                continue
            word = words[start]
            possessive = re.search(rf"\b{re.escape(word)}'s\b|\b{re.escape(word)}s'", lowered)
            before = start > 0 and words[start - 1] in _OWNER_BEFORE
            after = start + 1 < len(words) and words[start + 1] in _BOOK_AFTER
            if possessive or before or after:
                return CsmMention(matches[0].csm_id, matches[0].name, start, start + 1)
        return None

    return find
