"""Grammar errors a template draft must never make, found by plain patterns (not our helper)."""

from __future__ import annotations

import re

# "a enterprise", "a SMB" (but "a user"); "an mid-market" (but "an hour", "an SMB").
_A_BEFORE_VOWEL_CASED = re.compile(
    r"\ba (?:[aei]|o(?!nce|ne)|u(?!s[aeu]|ni|ti)|[AEFHILMNORSX][A-Z]{1,4}\b)"
)
_AN_BEFORE_CONSONANT = re.compile(r"\ban (?!hour|honest|[aeiou]|[AEFHILMNORSX][A-Z])[a-z]")
# "1 open support tickets", "1 days".
_ONE_PLURAL = re.compile(
    r"(?<![\d,.])\b1 (?:[a-z-]+ ){0,3}(?:tickets|users|seats|days|invoices|points|weeks)\b"
)


def grammar_errors(text: str) -> list[str]:
    """Each article or agreement error in ``text``, with the words around it."""
    errors = [m.group() for m in _A_BEFORE_VOWEL_CASED.finditer(text)]
    errors += [m.group() for m in _AN_BEFORE_CONSONANT.finditer(text)]
    errors += [m.group() for m in _ONE_PLURAL.finditer(text)]
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if re.search(r"(?<![\d,.])\b1 (?:[a-z-]+ ){0,3}tickets?\b", sentence) and re.search(
            r"\bthey (?:are|were)\b", sentence
        ):
            errors.append(sentence)
    return errors
