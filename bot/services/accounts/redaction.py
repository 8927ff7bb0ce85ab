"""Contact details out before a prompt leaves for an external LLM, back in after.

E-mail addresses and phone numbers are swapped for stable placeholders (``[EMAIL_1]``,
``[PHONE_1]``) so the model can still say "reply to [EMAIL_1]" and the draft comes back
whole, while the provider never sees the real values. Contact names the caller
passes (``known_names``: the account's contacts, per ``CSBOT_REDACT_CONTACT_NAMES``)
become ``[NAME_1]``; a full name and its first name each get their own placeholder,
matched case-sensitively on word boundaries, so restoring gives back exactly what was
replaced. Placeholders are matched leniently on the way back (models sometimes write
``[EMAIL 1]``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PHONE_PATTERN = re.compile(r"(?<![\w.])\+?\(?\d[\d\s().-]{7,}\d(?![\w])")
MIN_PHONE_DIGITS = 9
_PLACEHOLDER = re.compile(r"\[\s*(EMAIL|PHONE|NAME)[\s_-]*(\d+)\s*\]", re.IGNORECASE)
MIN_NAME_PART = 3
"""A first name shorter than this ("Al", "Jo") is left alone: too likely a word."""


def looks_like_phone(text: str) -> bool:
    """Enough digits to be a phone number, not a date or an amount."""
    return sum(character.isdigit() for character in text) >= MIN_PHONE_DIGITS


class Redactor:
    """One conversation's placeholder table: the same value always gets the same token."""

    def __init__(self, known_emails: Iterable[str] = (), known_names: Iterable[str] = ()) -> None:
        self._by_value: dict[str, str] = {}
        self._by_token: dict[str, str] = {}
        self._counts = {"EMAIL": 0, "PHONE": 0, "NAME": 0}
        self._known = sorted({email for email in known_emails if email}, key=len, reverse=True)
        self._names = _name_pattern(known_names)

    @property
    def redacted_count(self) -> int:
        return len(self._by_token)

    def _token(self, kind: str, value: str) -> str:
        key = value.lower() if kind == "EMAIL" else f"{kind}:{value}"
        if key not in self._by_value:
            self._counts[kind] += 1
            token = f"[{kind}_{self._counts[kind]}]"
            self._by_value[key] = token
            self._by_token[token] = value
        return self._by_value[key]

    def redact(self, text: str) -> str:
        for email in self._known:
            text = re.sub(
                re.escape(email), lambda m: self._token("EMAIL", m.group()), text, flags=re.I
            )
        text = EMAIL_PATTERN.sub(lambda m: self._token("EMAIL", m.group()), text)
        if self._names is not None:
            text = self._names.sub(lambda m: self._token("NAME", m.group()), text)
        return PHONE_PATTERN.sub(
            lambda m: self._token("PHONE", m.group()) if looks_like_phone(m.group()) else m.group(),
            text,
        )

    def restore(self, text: str) -> str:
        def back(match: re.Match[str]) -> str:
            token = f"[{match.group(1).upper()}_{int(match.group(2))}]"
            return self._by_token.get(token, match.group())

        return _PLACEHOLDER.sub(back, text)


def _name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """Full names and first names, longest first, as whole words (case-sensitive)."""
    variants: set[str] = set()
    for name in names:
        name = " ".join((name or "").split())
        if not name:
            continue
        variants.add(name)
        first = name.split(" ")[0]
        if len(first) >= MIN_NAME_PART and first != name:
            variants.add(first)
    if not variants:
        return None
    ordered = sorted(variants, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(v) for v in ordered) + r")(?!\w)")
