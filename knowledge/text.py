"""Small text helpers shared by trigger matching and theme labels: tokens, stems, stop words."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _word_set(text: str) -> frozenset[str]:
    """Words written as prose: easier to read and extend than a list literal."""
    return frozenset(text.split())


STOP_WORDS = _word_set(
    "a about above after again against all am an and any are as at be because been before "
    "being below between both but by can could did do does doing down during each few for "
    "from further had has have having he her here hers herself him himself his how i if in "
    "into is it its itself just let me more most my myself no nor not of off on once only or "
    "other our ours ourselves out over own same she should so some such than that the their "
    "theirs them themselves then there these they this those through to too under until up "
    "very was we were what when where which while who whom why will with would you your yours "
    "yourself yourselves also get got still us please hi hello thanks thank team since via "
    "per one two any anyone i'm we're it's don't can't we've they're you're i've isn't aren't "
    "doesn't didn't won't yet really need needs want wants like just now new s t "
)

# Sign-offs and conversational filler: frequent in tickets, meaningless in a theme label.
LABEL_NOISE = _word_set(
    "cheers best regards kind sincerely thx thanks warm that's let's know see looks look "
    "think guys folks asap someone something anything everything today tomorrow yesterday "
    "week morning afternoon quick question questions issue issues problem problems help "
)

_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s", "ly")


def stem(word: str) -> str:
    """A deliberately crude suffix stripper: 'declined'/'declines' → 'declin'.

    Good enough to let 'cancelled' match a 'cancel' trigger without pulling in NLTK.
    """
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    """Lowercase word tokens (keeps numbers: '21 days', '90')."""
    return _WORD.findall(text.lower())


def content_stems(text: str) -> list[str]:
    """Stems of the non-stop words, in order."""
    return [stem(word) for word in words(text) if word not in STOP_WORDS]
