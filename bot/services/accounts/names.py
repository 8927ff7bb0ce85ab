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
from bot.errors import AccountNotFound, AmbiguousAccount


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
MAX_HEAD_WORDS = 3  # queries up to this many words are also matched against name starts
PREFIX_DISCOUNT = 3.0

_POSSESSIVE = re.compile(r"(\w)'s\b")
# Every ASCII character that is not a lower-case letter or digit becomes a space.
_WORD_CHARS_ONLY = str.maketrans(
    {chr(code): " " for code in range(128) if not ("a" <= chr(code) <= "z" or chr(code).isdigit())}
)


def normalise(text: str) -> str:
    """Lower-case ASCII words without punctuation or possessive 's.

    Runs once per account name when the index is built (20,000 names at start-up),
    so the common all-ASCII case skips Unicode decomposition and regexes.
    """
    if not text.isascii():
        text = text.replace("’", "'")
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = text.lower()
    if "&" in text:
        text = text.replace("&", " and ")
    if "'" in text:
        text = _POSSESSIVE.sub(r"\1", text)
    return " ".join(text.translate(_WORD_CHARS_ONLY).split())


def core_name(text: str) -> str:
    """The distinctive part of a company name: normalised, without legal suffixes."""
    return _core_of_normalised(normalise(text))


def _core_of_normalised(normalised: str) -> str:
    words = normalised.split()
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
    """Every account's name keyed for exact, prefix and fuzzy lookup.

    Built once per process and shared by all questions; per-book positions make
    narrowing to a viewer's scope a list concatenation, and fuzzy scoring runs in
    rapidfuzz's native ``ratio`` (a Python scorer is ~50× slower at 20,000 names).
    """

    accounts: list[AccountName]
    by_core: dict[str, list[AccountName]] = field(default_factory=dict)
    by_id: dict[str, AccountName] = field(default_factory=dict)
    cores: list[str] = field(default_factory=list)
    heads: dict[int, list[str]] = field(default_factory=dict)
    positions_by_csm: dict[str | None, list[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, accounts: Iterable[AccountName]) -> AccountNameIndex:
        ordered = sorted(accounts, key=lambda a: (a.name.lower(), a.account_id))
        index = cls(accounts=ordered)
        by_core: dict[str, list[AccountName]] = defaultdict(list)
        by_csm: dict[str | None, list[int]] = defaultdict(list)
        for position, account in enumerate(ordered):
            full = normalise(account.name)
            core = _core_of_normalised(full)
            by_core[core].append(account)
            if full != core:
                by_core[full].append(account)
            index.by_id[account.account_id.lower()] = account
            index.cores.append(core)
            by_csm[account.csm_id].append(position)
        index.by_core = dict(by_core)
        index.positions_by_csm = dict(by_csm)
        return index

    def _heads(self, size: int) -> list[str]:
        """Every core cut to its first ``size`` words (built on first use: typos are rare)."""
        column = self.heads.get(size)
        if column is None:
            column = [" ".join(core.split()[:size]) for core in self.cores]
            self.heads[size] = column
        return column

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
                matches = _visible(self.by_core.get(core_name(" ".join(chunk)), []), scope)
                if not matches:
                    by_id = self.by_id.get(" ".join(chunk))
                    matches = _visible([by_id], scope) if by_id else []
                if matches:
                    return Mention(candidates=_unique(matches), start=start, end=start + size)
        return None

    def names_hidden_account(self, phrase: str, scope: AccountScope) -> bool:
        """True when ``phrase`` is exactly the name (or id) of accounts none of which are visible.

        "nps for northwind health" asked by the owner of "Northwind Traders" must not
        be answered about Northwind Traders just because "northwind" is a prefix of it.
        """
        named = list(self.by_core.get(core_name(phrase), []))
        by_id = self.by_id.get(phrase.strip().lower())
        if by_id is not None:
            named.append(by_id)
        return bool(named) and not _visible(named, scope)

    def resolve(self, query: str, scope: AccountScope) -> Resolution:
        """Resolve a phrase to one visible account, a short list to choose from, or none."""
        by_id = self.by_id.get(query.strip().lower())
        if by_id is not None and scope.allows_csm(by_id.csm_id):
            return Resolved(by_id)
        core = core_name(query)
        if not core:
            return NotFound(query, [])
        exact = _unique(_visible(self.by_core.get(core, []), scope))
        if len(exact) == 1:
            return Resolved(exact[0])
        if exact:
            return Ambiguous(query, exact[:MAX_CHOICES])
        positions = self._positions(scope)
        start = core + " "
        prefixed = [self.accounts[i] for i in positions if self.cores[i].startswith(start)]
        if len(prefixed) == 1:
            return Resolved(prefixed[0])
        if prefixed:
            return Ambiguous(query, prefixed[:MAX_CHOICES])
        return self._fuzzy(query, core, positions)

    def _positions(self, scope: AccountScope) -> list[int]:
        if scope.csm_ids is None:
            return list(range(len(self.accounts)))
        return sorted(
            position
            for csm_id in scope.csm_ids
            for position in self.positions_by_csm.get(csm_id, [])
        )

    def _fuzzy(self, query: str, core: str, positions: list[int]) -> Resolution:
        """Typos score on the whole name; a missing trailing word scores on the name's start.

        ``ratio`` on the whole core handles "globx" → "globex"; on the core cut to the
        query's word count it handles "initeck" → "initech systems" (slightly
        discounted, so a whole-name match wins a tie).
        """
        if not positions:
            return NotFound(query, [])
        limit = MAX_CHOICES * 2
        whole: dict[int, float] = {}
        for _, score, k in process.extract(
            core,
            [self.cores[i] for i in positions],
            scorer=fuzz.ratio,
            limit=limit,
            score_cutoff=SUGGEST,
        ):
            whole[positions[k]] = float(score)
        scores = dict(whole)
        size = core.count(" ") + 1
        if size <= MAX_HEAD_WORDS:
            column = self._heads(size)
            for _, score, k in process.extract(
                core,
                [column[i] for i in positions],
                scorer=fuzz.ratio,
                limit=limit,
                score_cutoff=SUGGEST + PREFIX_DISCOUNT,
            ):
                position = positions[k]
                if column[position] != self.cores[position]:
                    discounted = float(score) - PREFIX_DISCOUNT
                    scores[position] = max(scores.get(position, 0.0), discounted)
        if not scores:
            return NotFound(query, [])
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        best_score = ranked[0][1]
        if best_score >= CONFIDENT:
            close = [position for position, score in ranked if best_score - score < CLEAR_LEAD]
            if len(close) == 1:
                return Resolved(self.accounts[close[0]])
            # "acmee" is a typo of "acme" (whole name), not of "acme labs" (a prefix of it).
            whole_matches = [p for p in close if whole.get(p, 0.0) >= CONFIDENT]
            if len(whole_matches) == 1:
                return Resolved(self.accounts[whole_matches[0]])
            return Ambiguous(query, [self.accounts[p] for p in close][:MAX_CHOICES])
        return NotFound(query, [self.accounts[p] for p, _ in ranked[:3]], best_score)


def _visible(accounts: list[AccountName], scope: AccountScope) -> list[AccountName]:
    return [a for a in accounts if scope.allows_csm(a.csm_id)]


def _unique(accounts: list[AccountName]) -> list[AccountName]:
    seen: dict[str, AccountName] = {}
    for account in accounts:
        seen.setdefault(account.account_id, account)
    return list(seen.values())


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


def resolve_one(
    names: AccountNameCache, session: Session, query: str, scope: AccountScope
) -> AccountName:
    """The one account in ``scope`` that ``query`` (an id or a name) means.

    For commands that need a single account and cannot offer buttons to choose.

    Raises:
        AccountNotFound: with the closest names (at most three) as suggestions.
        AmbiguousAccount: with the candidates, when several match equally well.
    """
    resolution = names.index(session).resolve(query, scope)
    if isinstance(resolution, Resolved):
        return resolution.account
    if isinstance(resolution, Ambiguous):
        raise AmbiguousAccount(query, [(a.account_id, a.name) for a in resolution.candidates])
    raise AccountNotFound(query, [a.name for a in resolution.suggestions][:3])
