"""The deterministic question parser: intent, account, scope and date window.

Rules are ordered regular expressions over the normalised question, so the same
words always mean the same thing and a failing phrasing can be fixed by adding
a rule and a test. The account is found first (a known name said verbatim,
suffixes aside), and its words are taken out before the rules run, so an
account called "Renewal Partners" does not turn every question into a
renewal question. What is left after removing question words becomes the
account phrase for fuzzy matching, or, for "what should I do about …", the
topic for playbook retrieval. The rule table is intent_rules, the word lists
vocabulary; this module puts them together into one ParsedQuestion.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.services.accounts.names import Mention, normalise, word_set
from bot.services.accounts.viewers import RequestedScope
from bot.services.answers.dates import DateWindow, parse_date_window, parse_past_window
from bot.services.answers.intent_rules import match_intent
from bot.services.answers.intents import (
    ACCOUNT_FORM_OF,
    ACCOUNT_ONLY,
    EITHER,
    MENTION_ONLY_FORMS,
    PORTFOLIO_ONLY,
    Intent,
)
from bot.services.answers.vocabulary import FUNCTION_WORDS, STOPWORDS, corrected

_TEAM = re.compile(r"\b(my team|our team|team|teams|my reports|my csms|my direct reports)\b")
_ME = re.compile(r"\b(my|mine|i own|i manage|i have|i m responsible|do i|am i|for me)\b")
_ALL = re.compile(
    r"\b(all|everyone|everybody|whole|entire|company|companywide|org|organi[sz]ation|across"
    r"|overall|global|every|total portfolio)\b"
)
_MONTH = re.compile(r"\b(month|30 days|monthly|4 weeks)\b")
_RECENT = re.compile(r"\b(recent|recently|latest|last|new|this week|past)\b")

MentionFinder = Callable[[list[str]], Mention | None]
DEFAULT_TOP_N = 5
MAX_TOP_N = 25
DEFAULT_QUIET_DAYS = 30


@dataclass(frozen=True, slots=True)
class CsmMention:
    """A CSM named in the question: which words, and who."""

    csm_id: str
    name: str
    start: int
    end: int


CsmFinder = Callable[[list[str]], CsmMention | None]


@dataclass(frozen=True, slots=True)
class ParsedQuestion:
    intent: Intent
    words: list[str]
    mention: Mention | None = None
    account_phrase: str | None = None
    # The portfolio question to answer instead when the phrase names no account.
    portfolio_intent: Intent | None = None
    topic: str | None = None
    scope: RequestedScope | None = None
    window: DateWindow | None = None
    compare_days: int = 7
    recent_only: bool = False
    matched_rule: bool = True
    understood_by: str = "rules"  # or "llm" when the router chose the question
    # The leftover words follow "for", "at", "about"…: "open tickets for hooli" names an
    # account, so a name the viewer cannot see is "not found", never their own book.
    named_by_preposition: bool = False
    # "my red accounts": the one band asked for, so the list is not the wider at-risk one.
    band: str | None = None
    # "Priya's red accounts", "maya's book": one CSM's book (still within what the asker sees).
    csm: CsmMention | None = None
    # "top 5 by ARR", "bottom 3 by health": how many, ranked by what, which end.
    top_n: int = DEFAULT_TOP_N
    measure: str = "arr"
    highest: bool = True
    # "churned last quarter", "in January": a window that looks back from today.
    past_window: DateWindow | None = None
    # "no contact in 45 days".
    contact_days: int = DEFAULT_QUIET_DAYS
    # "draft a renewal email": the drafting purpose named, if any.
    purpose: str | None = None

    @property
    def needs_account(self) -> bool:
        return self.intent in ACCOUNT_ONLY

    @property
    def names_account(self) -> bool:
        return self.mention is not None or bool(self.account_phrase)


def parse_question(
    text: str,
    *,
    today: date,
    find_mention: MentionFinder | None = None,
    find_csm: CsmFinder | None = None,
) -> ParsedQuestion:
    """Understand one question. Pure: the account index comes in as ``find_mention``.

    Args:
        text: what the person typed (Slack mention markup already removed).
        today: the asker's date, for date phrases.
        find_mention: finds a known account name among the question's words.
        find_csm: finds a CSM named as the owner of a book ("Priya's red accounts").
    """
    normalised = normalise(text)
    window = parse_date_window(normalised, today)
    past_window = parse_past_window(normalised, today)
    without_window = normalised
    if window and window.matched:
        without_window = normalised.replace(window.matched.strip(), " ", 1)
    words = without_window.split()
    mention = find_mention(words) if find_mention else None
    outside = words if mention is None else words[: mention.start] + words[mention.end :]
    csm = find_csm(outside) if find_csm else None
    if csm is not None:
        outside = outside[: csm.start] + outside[csm.end :]
    # "renwal", "tikets", "hw is": misspelt keywords and chat shorthand read as meant.
    outside = [part for word in outside for part in corrected(word).split()]
    padded = " " + " ".join(outside) + " "
    intent, matched = match_intent(padded)
    leftover = [w for w in outside if w not in STOPWORDS and not w.isdigit()]
    account_phrase = None
    if mention is None and leftover:
        account_phrase = " ".join(leftover)
    portfolio_intent: Intent | None = intent if intent in EITHER else None
    if intent in ACCOUNT_FORM_OF:
        phrase_counts = intent not in MENTION_ONLY_FORMS
        if mention is not None or (phrase_counts and account_phrase and _looks_like_name(leftover)):
            portfolio_intent = intent
            intent = ACCOUNT_FORM_OF[intent]
        else:
            account_phrase = None  # stray words beside a portfolio question are not a name
    elif intent in PORTFOLIO_ONLY:
        mention, account_phrase = None, None
    elif not matched and (mention is not None or account_phrase):
        intent = Intent.ACCOUNT_OVERVIEW  # a bare name: "acme"
    return ParsedQuestion(
        intent=intent,
        words=words,
        mention=mention,
        account_phrase=account_phrase,
        portfolio_intent=portfolio_intent,
        topic=_topic(outside, intent),
        scope=_scope(padded),
        window=window,
        compare_days=30 if _MONTH.search(normalised) else 7,
        recent_only=bool(_RECENT.search(padded)) and "open" not in outside,
        matched_rule=matched,
        named_by_preposition=_named_by_preposition(outside, leftover),
        band=_band_asked(outside) if intent in (Intent.AT_RISK, Intent.CSM_BREAKDOWN) else None,
        csm=csm,
        past_window=past_window,
        contact_days=_days_asked(normalised),
        purpose=_purpose(outside),
        **_ranking(padded),
    )


_NUMBER = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
}
_DAYS = re.compile(r"\b(\d{1,4}|" + "|".join(_NUMBER) + r")\s*(days?|d|weeks?|wks?|months?|mos?)\b")
_TOP_N = re.compile(
    r"\b(?:top|bottom|first|last|largest|biggest|smallest)\s+(\d{1,3}|" + "|".join(_NUMBER) + r")\b"
)


def _count(token: str) -> int:
    return int(token) if token.isdigit() else _NUMBER[token]


def _days_asked(normalised: str) -> int:
    """ "in 45 days", "for 6 weeks", "two months": the quiet period asked for, in days."""
    found = _DAYS.search(normalised)
    if not found:
        return DEFAULT_QUIET_DAYS
    count, unit = _count(found.group(1)), found.group(2)
    factor = 7 if unit.startswith("w") else 30 if unit.startswith("m") else 1
    return max(1, min(count * factor, 3 * 365))


_MEASURE_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("churn_risk", re.compile(r"\b(churn risk|risk of churn|churn|riskiest|likely to churn)\b")),
    ("seats_used", re.compile(r"\b(seats?|usage|utili[sz]\w*|used|active users|adoption)\b")),
    ("expansion", re.compile(r"\b(expansion|upsell)\b")),
    ("health", re.compile(r"\b(health\w*|scores?|unhealthiest|sickest)\b")),
    ("arr", re.compile(r"\b(arr|revenue|mrr|largest|biggest|smallest|value)\b")),
)
_LOW_END = re.compile(r"\b(bottom|lowest|least|smallest|worst|low|unhealthiest|sickest)\b")


def _ranking(padded: str) -> dict[str, object]:
    """How many to list, by what, and from which end ("bottom 3 by health")."""
    measure = next((name for name, words in _MEASURE_WORDS if words.search(padded)), "arr")
    low = bool(_LOW_END.search(padded))
    if measure == "churn_risk" and re.search(r"\b(riskiest|highest|most|top)\b", padded):
        low = False
    found = _TOP_N.search(padded)
    top_n = _count(found.group(1)) if found else DEFAULT_TOP_N
    return {"top_n": max(1, min(top_n, MAX_TOP_N)), "measure": measure, "highest": not low}


_PURPOSES = {
    "renewal": "renewal",
    "renew": "renewal",
    "renewing": "renewal",
    "risk": "risk",
    "expansion": "expansion",
    "upsell": "expansion",
    "checkin": "check-in",
    "check": "check-in",
    "nps": "nps-followup",
    "escalation": "escalation",
}


def _purpose(outside: list[str]) -> str | None:
    return next((_PURPOSES[word] for word in outside if word in _PURPOSES), None)


_BANDS = ("red", "yellow", "green")


def _band_asked(outside: list[str]) -> str | None:
    """The single band named in the question ("my green accounts"), else None."""
    named = {word for word in outside if word in _BANDS}
    return named.pop() if len(named) == 1 else None


_NAME_PREPOSITIONS = frozenset({"for", "at", "about", "of", "with", "from", "regarding", "re"})


def _named_by_preposition(outside: list[str], leftover: list[str]) -> bool:
    """True when a leftover word comes right after a preposition that introduces a name."""
    if not leftover:
        return False
    candidates = set(leftover)
    return any(
        word in candidates and previous in _NAME_PREPOSITIONS
        for previous, word in zip(outside, outside[1:], strict=False)
    )


def _scope(padded: str) -> RequestedScope | None:
    if _TEAM.search(padded):
        return "team"
    if _ME.search(padded):
        return "me"
    if _ALL.search(padded):
        return "all"
    return None


def _looks_like_name(leftover: list[str]) -> bool:
    """A stray word or two next to a portfolio question ("renewals for acmee") may be a name."""
    return 0 < len(leftover) <= 4


def _topic(outside: list[str], intent: Intent) -> str | None:
    """What the question is about beyond the account ("billing complaint")."""
    if intent != Intent.NEXT_STEPS:
        return None
    topic = [w for w in outside if w not in FUNCTION_WORDS and w not in _NEXT_STEP_WORDS]
    return " ".join(topic) or None


_NEXT_STEP_WORDS = word_set(
    """should steps step actions action moves best playbook playbooks cta ctas todo todos
    recommend recommendation recommendations handle deal fix save approach respond address
    next open opened outstanding pending account accounts customer customers client clients
    today now work"""
)
