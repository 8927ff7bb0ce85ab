# ruff: noqa: E501 - phrase banks: whole sentences read better unbroken
"""Composes the demo's free text (tickets, NPS comments, CS notes) from phrase banks.

Text is assembled from parts (greeting, problem, detail, impact, ask, sign-off),
each drawn from a bank and filled from slot banks (features, integrations, error
codes, competitors…), so thousands of tickets read like different people wrote
them. Sentiment follows the account's state: ``tone`` 0 is calm, 1 frustrated,
2 angry with churn language — the sentiment and theme models downstream must
have something real to find, and the churn signals must show in the words too.
The banks are package data (``data/texts.json``); this module holds how they combine.
"""

from __future__ import annotations

import random

from bot.sources.demo.banks import bank
from bot.sources.demo.ticket_texts import TICKET_DETAILS, TICKET_ISSUES

# --------------------------------------------------------------------------- slot banks
_TEXTS = bank("texts")
SLOTS: dict[str, tuple[str, ...]] = _TEXTS["slots"]

# --------------------------------------------------------------------------- ticket banks
CATEGORIES: tuple[str, ...] = (
    "bug",
    "performance",
    "billing",
    "integration",
    "sso-login",
    "data-export",
    "onboarding",
    "how-to",
    "feature-request",
    "user-management",
    "api",
    "reporting",
    "security-compliance",
    "cancellation",
    "competitor",
    "praise",
)

# category → (weight when the account is fine, weight when it is in trouble, base priority 0..3)
CATEGORY_WEIGHTS: dict[str, tuple[float, float, float]] = {
    "bug": (0.15, 0.13, 1.0),
    "performance": (0.07, 0.13, 1.2),
    "billing": (0.07, 0.11, 0.7),
    "integration": (0.10, 0.09, 1.0),
    "sso-login": (0.06, 0.05, 1.3),
    "data-export": (0.06, 0.06, 0.7),
    "onboarding": (0.06, 0.02, 0.5),
    "how-to": (0.13, 0.03, 0.2),
    "feature-request": (0.10, 0.05, 0.0),
    "user-management": (0.06, 0.03, 0.5),
    "api": (0.05, 0.03, 0.9),
    "reporting": (0.05, 0.05, 0.7),
    "security-compliance": (0.03, 0.02, 0.9),
    "cancellation": (0.002, 0.13, 1.1),
    "competitor": (0.002, 0.10, 0.9),
    "praise": (0.05, 0.0, 0.0),
}

_GREETINGS: tuple[str, ...] = _TEXTS["greetings"]
_SIGNOFFS: tuple[str, ...] = _TEXTS["signoffs"]

# Each kind of ticket closes differently: something broken wants a fix, a request
# wants an answer, a cancellation wants next steps. kind → (impact by tone, asks).
_CLOSINGS: dict[str, tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]] = {
    kind: (closing["impact"], closing["asks"]) for kind, closing in _TEXTS["closings"].items()
}
_KIND_OF_CATEGORY = {
    "bug": "broken",
    "performance": "broken",
    "integration": "broken",
    "sso-login": "broken",
    "api": "broken",
    "data-export": "broken",
    "reporting": "broken",
    "billing": "billing",
    "cancellation": "exit",
    "competitor": "exit",
    "how-to": "request",
    "feature-request": "request",
    "onboarding": "request",
    "user-management": "request",
    "security-compliance": "request",
}
_SUBJECT_TONE_PREFIX: tuple[tuple[str, ...], ...] = _TEXTS["subject_tone_prefix"]
# requests and questions are rarely written in anger, praise never
TONE_CAP: dict[str, int] = {
    "how-to": 1,
    "feature-request": 1,
    "onboarding": 1,
    "security-compliance": 1,
    "user-management": 1,
    "praise": 0,
}

# --------------------------------------------------------------------------- NPS banks
_NPS_PROMOTER: tuple[str, ...] = _TEXTS["nps_promoter"]
_NPS_PASSIVE: tuple[str, ...] = _TEXTS["nps_passive"]
_NPS_GRIPES: tuple[str, ...] = _TEXTS["nps_gripes"]
_NPS_DETRACTOR: tuple[str, ...] = _TEXTS["nps_detractor"]
_NPS_CONSEQUENCE: tuple[str, ...] = _TEXTS["nps_consequence"]

# --------------------------------------------------------------------------- interaction banks
_INTERACTIONS: dict[str, dict[str, tuple[str, ...]]] = _TEXTS["interactions"]

CHURN_REASONS: tuple[tuple[str, float], ...] = _TEXTS["churn_reasons"]
QUIET_CHURN_REASONS: tuple[tuple[str, float], ...] = _TEXTS["quiet_churn_reasons"]


# A planned touch the customer skipped (see ``bot.sources.demo.engagement``): what a CSM logs.
_NO_REPLY: dict[str, tuple[str, ...]] = _TEXTS["no_reply"]


class _Slots(dict[str, str]):
    """Slot values drawn on first use, then reused so subject and body agree."""

    def __init__(self, rnd: random.Random, fixed: dict[str, str]) -> None:
        super().__init__(fixed)
        self._rnd = rnd

    def __missing__(self, key: str) -> str:
        if key.endswith("_cap"):
            value = self[key[:-4]]
            value = value[:1].upper() + value[1:]
        else:
            value = self._rnd.choice(SLOTS[key])
        self[key] = value
        return value


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class TextComposer:
    """Composes every free-text field of the demo from one seeded ``random.Random``."""

    def __init__(self, rnd: random.Random) -> None:
        self._rnd = rnd

    def ticket(
        self, category: str, tone: int, *, contact_first: str, competitor: str
    ) -> tuple[str, str]:
        """(subject, description) of a ticket written in the given tone (0..2)."""
        rnd = self._rnd
        tone = min(tone, TONE_CAP.get(category, 2))
        subjects, problems = rnd.choice(TICKET_ISSUES[category])
        slots = _Slots(rnd, {"competitor": competitor})
        prefix = rnd.choice(_SUBJECT_TONE_PREFIX[tone])
        if tone and _KIND_OF_CATEGORY.get(category) == "broken" and rnd.random() < 0.15:
            prefix = "Still not fixed: "
        elif category == "how-to" and rnd.random() < 0.2:
            prefix = "Question: "
        parts = [rnd.choice(_GREETINGS), rnd.choice(problems)]
        if rnd.random() < 0.7:
            parts.append(rnd.choice(TICKET_DETAILS[category]))
        kind = _KIND_OF_CATEGORY.get(category)
        if kind is not None:
            impacts, asks = _CLOSINGS[kind]
            parts.append(rnd.choice(impacts[tone]))
            if tone == 2 and rnd.random() < 0.4:
                parts.append(rnd.choice(impacts[1]))
            parts.append(rnd.choice(asks))
        signoff = rnd.choice(_SIGNOFFS)
        if signoff and contact_first:
            parts.append(f"{signoff} {contact_first}")
        text = " ".join(part for part in parts if part).format_map(slots)
        subject = _cap(prefix + rnd.choice(subjects).format_map(slots))
        return subject, text

    def nps_comment(self, score: int, *, competitor: str) -> str:
        """A comment that reads like someone who gave this score; "" = left blank."""
        rnd = self._rnd
        if rnd.random() < 0.22:
            return ""
        slots = _Slots(rnd, {"competitor": competitor})
        if score >= 9:
            sentences = rnd.sample(_NPS_PROMOTER, rnd.choice((1, 1, 2)))
        elif score >= 7:
            sentences = [rnd.choice(_NPS_PASSIVE)]
            slots["gripe"] = rnd.choice(_NPS_GRIPES).format_map(slots)
        else:
            sentences = rnd.sample(_NPS_DETRACTOR, 2 if score <= 3 else rnd.choice((1, 2)))
            if score <= 4:
                sentences.append(rnd.choice(_NPS_CONSEQUENCE))
        return " ".join(s for s in sentences if s).format_map(slots)

    def interaction(
        self, kind: str, mood: str, *, contact: str, competitor: str, utilisation: int
    ) -> str:
        """A CSM's summary of a meeting, call, email, note or QBR (mood good|neutral|bad)."""
        rnd = self._rnd
        slots = _Slots(rnd, {"contact": contact, "competitor": competitor})
        text = rnd.choice(_INTERACTIONS[kind][mood]).format_map(slots)
        if kind == "qbr":
            text += f" Seat utilisation {utilisation}%."
        return text

    def no_reply(self, kind: str, *, contact: str) -> str:
        """The CSM's note when the customer did not show up for a planned touch."""
        slots = _Slots(self._rnd, {"contact": contact})
        return self._rnd.choice(_NO_REPLY[kind]).format_map(slots)

    def champion_left(self, *, champion: str, company: str) -> str:
        return self._rnd.choice(
            (
                f"Learned that our champion {champion} has left {company}. Need to find a new sponsor.",
                f"{champion}'s email bounced; LinkedIn says they left {company}. Champion gap.",
                f"Internal note: {champion} moved on from {company}; no replacement champion identified yet.",
            )
        )

    def non_renewal_notice(self, *, contact: str, reason: str) -> str:
        return self._rnd.choice(
            (
                f"Call with {contact}: they confirmed they will not renew. Reason given: {reason}.",
                f"Received written notice of non-renewal from {contact} ({reason}).",
                f"Meeting with {contact}: decision made to churn at term end — {reason}. Offered a final save call.",
            )
        )

    def churn_reason(self, *, quiet: bool, competitor: str) -> str:
        rnd = self._rnd
        bank = QUIET_CHURN_REASONS if quiet else CHURN_REASONS
        reasons = [text for text, _ in bank]
        weights = [weight for _, weight in bank]
        reason = rnd.choices(reasons, weights)[0]
        return reason.format_map(_Slots(rnd, {"competitor": competitor}))
