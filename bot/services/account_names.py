"""Finding the account a person means: exact, suffix-less, prefix, then fuzzy.

People type "acme", "Acme corp", "acmee" or "ACME's" for "Acme Corp Inc".
Names are normalised (case, accents, punctuation, possessives, legal suffixes
such as Inc/Corp/LLC), then matched in order of certainty; only a clear fuzzy
winner is taken, close calls become a choice. Matching only ever considers the
accounts the viewer may see, so a suggestion never reveals another book.

The index over every account is built once and reused until the accounts
table changes (checked with a cheap fingerprint query on each use).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from sqlalchemy.orm import Session

from bot.db.queries.accounts import account_names_fingerprint, all_account_names
from bot.db.queries.records import AccountName
from bot.db.queries.scope import AccountScope


def word_set(text: str) -> frozenset[str]:
    """A set of words written as prose (easier to read and extend than a list literal)."""
    return frozenset(text.split())


LEGAL_SUFFIXES = word_set(
    "inc incorporated corp corporation co company llc l l c ltd limited plc gmbh ag sa sas "
    "bv nv pty pte srl spa oy ab kk lp llp"
)
CONFIDENT = 80.0  # a fuzzy score this high, clearly ahead of the next, is a match
CLEAR_LEAD = 6.0
SUGGEST = 55.0  # below this a name is not worth suggesting
MAX_CHOICES = 5
MAX_MENTION_WORDS = 6

_NON_WORD = re.compile(r"[^0-9a-z]+")
_POSSESSIVE = re.compile(r"(\w)['’]s\b")


def normalise(text: str) -> str:
    """Lower-case ASCII words without punctuation or possessive 's."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = _POSSESSIVE.sub(r"\1", text.lower().replace("&", " and "))
    return " ".join(_NON_WORD.sub(" ", text).split())


def core_name(text: str) -> str:
    """The distinctive part of a company name: normalised, without legal suffixes."""
    words = normalise(text).split()
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class Resolved:
    account: AccountName


@dataclass(frozen=True, slots=True)
class Ambiguous:
    query: str
    candidates: list[AccountName]


@dataclass(frozen=True, slots=True)
class NotFound:
    query: str
    suggestions: list[AccountName]
    best_score: float = 0.0  # how close the nearest suggestion came (0–100)


Resolution = Resolved | Ambiguous | NotFound


@dataclass(frozen=True, slots=True)
class Mention:
    """An account name found verbatim (modulo suffixes) inside a question."""

    candidates: list[AccountName]
    start: int  # token offsets in the normalised question
    end: int


@dataclass
class AccountNameIndex:
    """Every account's name keyed for exact, prefix and fuzzy lookup."""

    accounts: list[AccountName]
    by_core: dict[str, list[AccountName]] = field(default_factory=dict)
    by_id: dict[str, AccountName] = field(default_factory=dict)
    cores: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, accounts: Iterable[AccountName]) -> AccountNameIndex:
        ordered = sorted(accounts, key=lambda a: (a.name.lower(), a.account_id))
        index = cls(accounts=ordered)
        by_core: dict[str, list[AccountName]] = defaultdict(list)
        for account in ordered:
            core = core_name(account.name)
            by_core[core].append(account)
            full = normalise(account.name)
            if full != core:
                by_core[full].append(account)
            index.by_id[account.account_id.lower()] = account
            index.cores.append(core)
        index.by_core = dict(by_core)
        return index

    # ------------------------------------------------------------------ lookups
    def find_mention(
        self, words: list[str], scope: AccountScope, *, ignore: frozenset[str]
    ) -> Mention | None:
        """The longest, leftmost run of question words that names a visible account."""
        for size in range(min(MAX_MENTION_WORDS, len(words)), 0, -1):
            for start in range(0, len(words) - size + 1):
                chunk = words[start : start + size]
                if all(word in ignore or word in LEGAL_SUFFIXES for word in chunk):
                    continue
                matches = self._visible(self.by_core.get(core_name(" ".join(chunk)), []), scope)
                if not matches:
                    matches = self._visible(
                        [a for a in [self.by_id.get(" ".join(chunk))] if a], scope
                    )
                if matches:
                    return Mention(candidates=_unique(matches), start=start, end=start + size)
        return None

    def resolve(self, query: str, scope: AccountScope) -> Resolution:
        """Resolve a phrase to one visible account, a short list to choose from, or none."""
        by_id = self.by_id.get(query.strip().lower())
        if by_id is not None and scope.allows_csm(by_id.csm_id):
            return Resolved(by_id)
        core = core_name(query)
        if not core:
            return NotFound(query, [])
        exact = _unique(self._visible(self.by_core.get(core, []), scope))
        if len(exact) == 1:
            return Resolved(exact[0])
        if exact:
            return Ambiguous(query, exact[:MAX_CHOICES])
        visible = [(a, c) for a, c in zip(self.accounts, self.cores, strict=True) if _ok(a, scope)]
        prefixed = [a for a, c in visible if c.startswith(core + " ")]
        if len(prefixed) == 1:
            return Resolved(prefixed[0])
        if prefixed:
            return Ambiguous(query, prefixed[:MAX_CHOICES])
        return self._fuzzy(query, core, visible)

    def _fuzzy(self, query: str, core: str, visible: list[tuple[AccountName, str]]) -> Resolution:
        if not visible:
            return NotFound(query, [])
        choices = [c for _, c in visible]
        scored = process.extract(
            core, choices, scorer=_name_similarity, limit=MAX_CHOICES * 2, score_cutoff=SUGGEST
        )
        ranked: list[tuple[AccountName, float, str]] = []
        seen: set[str] = set()
        for choice, score, position in scored:
            account = visible[position][0]
            if account.account_id not in seen:
                seen.add(account.account_id)
                ranked.append((account, float(score), choice))
        if not ranked:
            return NotFound(query, [])
        best_score = ranked[0][1]
        if best_score >= CONFIDENT:
            close = [(a, c) for a, s, c in ranked if best_score - s < CLEAR_LEAD]
            if len(close) == 1:
                return Resolved(close[0][0])
            # "acmee" is a typo of "acme" (whole name), not of "acme labs" (a prefix of it).
            whole = [a for a, c in close if fuzz.ratio(core, c) >= CONFIDENT]
            if len(whole) == 1:
                return Resolved(whole[0])
            return Ambiguous(query, [a for a, _ in close][:MAX_CHOICES])
        return NotFound(query, [a for a, _, _ in ranked[:3]], best_score)

    @staticmethod
    def _visible(accounts: list[AccountName], scope: AccountScope) -> list[AccountName]:
        return [a for a in accounts if _ok(a, scope)]


def _ok(account: AccountName, scope: AccountScope) -> bool:
    return scope.allows_csm(account.csm_id)


def _unique(accounts: list[AccountName]) -> list[AccountName]:
    seen: dict[str, AccountName] = {}
    for account in accounts:
        seen.setdefault(account.account_id, account)
    return list(seen.values())


def _name_similarity(query: str, choice: str, **_: object) -> float:
    """Typos score on the whole name; a missing trailing word scores on the prefix.

    ``ratio`` handles "globx" → "globex"; comparing against the choice cut to the
    query's word count handles "initeck systms" → "initech systems group".
    """
    whole = fuzz.ratio(query, choice)
    words = query.count(" ") + 1
    head = " ".join(choice.split()[:words])
    if head != choice:
        return max(whole, fuzz.ratio(query, head) - 3.0)
    return whole


class AccountNameCache:
    """One index per process, rebuilt when the accounts table's fingerprint changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fingerprint: tuple[object, ...] | None = None
        self._index: AccountNameIndex | None = None

    def index(self, session: Session) -> AccountNameIndex:
        fingerprint = account_names_fingerprint(session=session)
        with self._lock:
            if self._index is None or fingerprint != self._fingerprint:
                self._index = AccountNameIndex.build(all_account_names(session=session))
                self._fingerprint = fingerprint
            return self._index
