"""Finding the account a person means: THE resolver every surface uses.

People type "acme", "Acme corp", "acmee", "ACME's", "ACC-7731" or "acme.com" for
"Acme Corp Inc". Names are normalised (case, accents, punctuation, possessives),
then matched in tiers of certainty, and the first tier with a visible match decides:

1. an account id (the CRM key of the data contract) or a domain;
2. the exact full name ("Zephyr Biotech Co");
3. the name without legal suffixes ("zephyr biotech" = "Zephyr Biotech Group" and
   "Zephyr Biotech Co"); industry words ("Health", "Insurance") are part of the name;
4. the first words of a name ("zephyr", "atlas insurance");
5. a typo (fuzzy ratio), taken only with a clear lead and a first word that is
   itself close ("willow security" is not a typo of "Wildflower Security").

Within a tier, one candidate is picked silently only when it clearly dominates:
it is the only one, or it is the only one in the asker's own book (a CSM's
accounts; a manager's team). Otherwise the candidates become a choice, the
asker's own book first, then their team's. A fuzzy pick needs a score of at least
:data:`CONFIDENT` and a lead of :data:`CLEAR_LEAD` points over the runner-up.

Matching only ever considers the accounts the viewer may see: a hidden account is
never matched, suggested, or allowed to change how a visible one resolves, so no
answer hints that it exists.

The index over every account is built once and reused until the accounts
table changes (checked with a cheap fingerprint query on each use).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process
from sqlalchemy.orm import Session

from bot.db.queries.accounts import account_names_fingerprint, all_account_names
from bot.db.queries.records import AccountName
from bot.db.queries.scope import AccountScope
from bot.errors import AccountNotFound, AmbiguousAccount

if TYPE_CHECKING:
    from bot.services.accounts.viewers import Viewer


def word_set(text: str) -> frozenset[str]:
    """A set of words written as prose (easier to read and extend than a list literal)."""
    return frozenset(text.split())


LEGAL_SUFFIXES = word_set(
    "inc incorporated corp corporation co company llc l l c ltd limited plc gmbh ag sa sas "
    "bv nv pty pte srl spa oy ab kk lp llp group holdings holding"
)
# Words that say what a company does. They are part of its name ("Summit Biotech" is
# not "Summit"), so a name followed by one of these that is not a question word
# ("health" is both) is a different company: "summit biotech" never resolves to
# "Summit Logistics".
INDUSTRY_WORDS = word_set(
    """health healthcare medical pharma pharmaceuticals biotech bio labs insurance bank
    banking financial finance capital logistics freight shipping energy power solar foods
    food retail systems software technologies tech analytics data networks telecom media
    motors automotive airlines travel hospitality realty properties construction consulting
    partners solutions services industries manufacturing robotics security education"""
)
# The last word of a domain once punctuation is gone ("atlasinsurance.com" →
# "atlasinsurance com"): such a phrase is a domain, matched exactly or not at all.
DOMAIN_ENDINGS = word_set("com net org io ai app dev biz info tech cloud")
# Spellings of one legal form: "Acme Corporation" is "Acme Corp".
SUFFIX_SPELLINGS = {
    "incorporated": "inc",
    "corporation": "corp",
    "company": "co",
    "limited": "ltd",
    "holding": "holdings",
}
CONFIDENT = 80.0  # a fuzzy score this high, with a clear lead over the next, is a match
CLEAR_LEAD = 6.0  # points a fuzzy winner must lead the runner-up by to be taken silently
SUGGEST = 55.0  # below this a name is not worth suggesting
MAX_CHOICES = 5
MAX_MENTION_WORDS = 6
MAX_HEAD_WORDS = 3  # queries up to this many words are also matched against name starts
PREFIX_DISCOUNT = 3.0
MIN_PREFIX_CHARS = 3  # "ab" is not the start of a name anyone means

# Tiers of certainty (lower is more certain).
BY_KEY, BY_FULL_NAME, BY_CORE_NAME, BY_PREFIX = 0, 1, 2, 3

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


def _without_article(normalised: str) -> str:
    words = normalised.split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _core_of_normalised(normalised: str) -> str:
    words = _without_article(normalised).split()
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def legal_form(normalised: str) -> frozenset[str]:
    """The legal suffixes a normalised name ends with, one spelling each ("corp", "inc")."""
    return _split_legal_form(_without_article(normalised).split())[1]


def _split_legal_form(words: list[str]) -> tuple[list[str], frozenset[str]]:
    """A name's words without their trailing legal suffixes, and those suffixes."""
    end = len(words)
    found: set[str] = set()
    while end > 1 and words[end - 1] in LEGAL_SUFFIXES:
        end -= 1
        if len(words[end]) > 1:  # "l l c" is spelt out letter by letter
            found.add(SUFFIX_SPELLINGS.get(words[end], words[end]))
    return words[:end], frozenset(found)


def _same_form(said: frozenset[str], form: frozenset[str]) -> bool:
    """A typed legal form fits a name's unless it names another: "Acme Corp" for
    "Acme Corp Inc" fits, "Zephyr Biotech Co" for "Zephyr Biotech Group" does not."""
    return not said or not form or said <= form


def domain_key(domain: str) -> str:
    """A domain as people type it: "https://www.Atlas-Insurance.com/" → "atlas insurance com"."""
    text = domain.strip().lower()
    for prefix in ("https://", "http://", "www."):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return normalise(text.split("/")[0])


@dataclass(frozen=True, slots=True)
class BookPreference:
    """Whose accounts come first when several match equally well.

    ``own``: the asker's own book (a CSM's accounts; a manager's whole team, which is
    the book they run). ``team``: the books of the people they work with. An admin
    runs no book, so an admin gets the choice whenever names tie.
    """

    own: frozenset[str] = frozenset()
    team: frozenset[str] = frozenset()

    @classmethod
    def for_viewer(cls, viewer: Viewer) -> BookPreference:
        from bot.services.accounts.viewers import ADMIN, MANAGER

        if viewer.role == ADMIN:
            return cls()
        if viewer.role == MANAGER:
            return cls(own=frozenset(viewer.team_csm_ids) | {viewer.csm_id})
        return cls(own=frozenset({viewer.csm_id}), team=frozenset(viewer.team_csm_ids))

    def rank(self, account: AccountName) -> int:
        """0 the asker's own book, 1 their team's, 2 anyone else's."""
        if account.csm_id is not None and account.csm_id in self.own:
            return 0
        if account.csm_id is not None and account.csm_id in self.team:
            return 1
        return 2


NO_PREFERENCE = BookPreference()


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
EXACT_NAME = 100.0  # a NotFound score: the words were meant as a whole account name


@dataclass(frozen=True, slots=True)
class Mention:
    """An account name found inside a question.

    ``candidates`` is already decided: one account when it dominates, several (the
    asker's book first) for a choice, none when the words go on to name a different
    company than any visible one ("summit health" beside only "Summit Logistics").
    """

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
    by_key: dict[str, list[AccountName]] = field(default_factory=dict)
    by_full: dict[str, list[AccountName]] = field(default_factory=dict)
    by_core: dict[str, list[AccountName]] = field(default_factory=dict)
    by_prefix: dict[str, list[AccountName]] = field(default_factory=dict)
    vocabulary: frozenset[str] = frozenset()
    cores: list[str] = field(default_factory=list)
    forms: dict[str, frozenset[str]] = field(default_factory=dict)  # account id → legal form
    heads: dict[int, list[str]] = field(default_factory=dict)
    positions_by_csm: dict[str | None, list[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, accounts: Iterable[AccountName]) -> AccountNameIndex:
        ordered = sorted(accounts, key=lambda a: (a.name.lower(), a.account_id))
        index = cls(accounts=ordered)
        by_key: dict[str, list[AccountName]] = defaultdict(list)
        by_full: dict[str, list[AccountName]] = defaultdict(list)
        by_core: dict[str, list[AccountName]] = defaultdict(list)
        by_prefix: dict[str, list[AccountName]] = defaultdict(list)
        by_csm: dict[str | None, list[int]] = defaultdict(list)
        vocabulary: set[str] = set()
        for position, account in enumerate(ordered):
            words = normalise(account.name).split()
            if len(words) > 1 and words[0] == "the":
                del words[0]
            full = " ".join(words)
            core_words, form = _split_legal_form(words)
            core = " ".join(core_words)
            by_full[full].append(account)
            by_core[core].append(account)
            vocabulary.update(words)
            for size in range(1, len(core_words)):
                by_prefix[" ".join(core_words[:size])].append(account)
            lowered = account.account_id.lower()
            by_key[lowered].append(account)
            if not lowered.isalnum():
                keyed = normalise(lowered)
                if keyed != lowered:
                    by_key[keyed].append(account)
            if account.domain:
                by_key[domain_key(account.domain)].append(account)
            index.cores.append(core)
            index.forms[account.account_id] = form
            by_csm[account.csm_id].append(position)
        index.by_key = dict(by_key)
        index.by_full = dict(by_full)
        index.by_core = dict(by_core)
        index.by_prefix = dict(by_prefix)
        index.vocabulary = frozenset(vocabulary)
        index.positions_by_csm = dict(by_csm)
        return index

    def _heads(self, size: int) -> list[str]:
        """Every core cut to its first ``size`` words (built on first use: typos are rare)."""
        column = self.heads.get(size)
        if column is None:
            column = [" ".join(core.split()[:size]) for core in self.cores]
            self.heads[size] = column
        return column

    # ------------------------------------------------------------------ tiers
    def _exact(self, phrase: str, scope: AccountScope) -> tuple[int, list[AccountName]]:
        """The most certain non-fuzzy tier with a visible match for ``phrase``."""
        normalised = normalise(phrase)
        if not normalised:
            return BY_KEY, []
        keys = {phrase.strip().lower(), normalised, domain_key(phrase)}
        keyed = _visible([a for key in keys for a in self.by_key.get(key, [])], scope)
        if keyed:
            return BY_KEY, _unique(keyed)
        full = _without_article(normalised)
        named = _visible(self.by_full.get(full, []), scope)
        if named:
            return BY_FULL_NAME, _unique(named)
        said = legal_form(full)
        named = [
            account
            for account in _visible(self.by_core.get(_core_of_normalised(full), []), scope)
            if _same_form(said, self.forms.get(account.account_id, frozenset()))
        ]
        if named:
            return BY_CORE_NAME, _unique(named)
        return BY_CORE_NAME, []

    def _prefixed(self, phrase: str, scope: AccountScope) -> list[AccountName]:
        core = _core_of_normalised(_without_article(normalise(phrase)))
        if len(core) < MIN_PREFIX_CHARS:
            return []
        return _unique(_visible(self.by_prefix.get(core, []), scope))

    # ------------------------------------------------------------------ lookups
    def find_mention(
        self,
        words: list[str],
        scope: AccountScope,
        *,
        ignore: frozenset[str],
        prefer: BookPreference = NO_PREFERENCE,
        word_is_topic: Callable[[list[str], str], bool] | None = None,
    ) -> Mention | None:
        """The longest, leftmost run of question words that names a visible account.

        Whole names (ids, full names, names without suffixes) are looked for first,
        then the first words of a name ("zephyr" for "Zephyr Biotech Group"). A run
        followed by a name word that no candidate continues with ("summit" +
        "health" when only "Summit Logistics" is visible, "stark industries" +
        "europe") or by another legal form ("zephyr biotech" + "co" when only
        "Zephyr Biotech Group" is visible) names some other company: the mention has
        no candidates. (A fitting suffix would have matched as the longer run.)

        An industry word that is also a question word ("health") after the first
        words of a name is the question's topic only when ``word_is_topic(rest,
        word)`` says so (the parser's call: "initech health" asks for Initech's
        health, "how is oakridge health doing" names Oakridge Health); without the
        callback it is always the topic.
        """
        for whole in (True, False):
            for size in range(min(MAX_MENTION_WORDS, len(words)), 0, -1):
                for start in range(0, len(words) - size + 1):
                    chunk = words[start : start + size]
                    if all(word in ignore or word in LEGAL_SUFFIXES for word in chunk):
                        continue
                    if whole:
                        _, matches = self._exact(" ".join(chunk), scope)
                    elif chunk[0] in ignore or chunk[0].isdigit():
                        continue
                    else:
                        matches = self._prefixed(" ".join(chunk), scope)
                    if not matches:
                        continue
                    end = start + size
                    suffixes = end
                    while suffixes < len(words) and words[suffixes] in LEGAL_SUFFIXES:
                        suffixes += 1
                    if suffixes > end:  # "zephyr biotech co" beside only "... Group"
                        return Mention(candidates=[], start=start, end=suffixes)
                    following = words[end] if end < len(words) else None
                    if following and self._names_another(following, ignore):
                        return Mention(candidates=[], start=start, end=end + 1)
                    legal = end + 1
                    while legal < len(words) and words[legal] in LEGAL_SUFFIXES:
                        legal += 1
                    if following in INDUSTRY_WORDS and legal > end + 1:
                        # "oakridge health corp": a whole legal name, not Oakridge's health
                        return Mention(candidates=[], start=start, end=legal)
                    if (
                        not whole
                        and following in INDUSTRY_WORDS
                        and word_is_topic is not None
                        and not word_is_topic(words[:start] + words[end + 1 :], following)
                    ):
                        return Mention(candidates=[], start=start, end=end + 1)
                    return Mention(candidates=_decide(matches, prefer), start=start, end=end)
        return None

    def _names_another(self, following: str, ignore: frozenset[str]) -> bool:
        """True when ``following`` carries the name on past every matching account.

        Only visible names matched, so a longer visible name would have matched first;
        the vocabulary is every account's words, which says nothing about any one
        account or who may see it.
        """
        if following in ignore or following.isdigit() or following in LEGAL_SUFFIXES:
            return False  # "initech health": the question's word, not the name's
        return following in INDUSTRY_WORDS or following in self.vocabulary

    def resolve(
        self, query: str, scope: AccountScope, prefer: BookPreference = NO_PREFERENCE
    ) -> Resolution:
        """Resolve a phrase to one visible account, a short list to choose from, or none."""
        if not core_name(query):
            return NotFound(query, [])
        _, exact = self._exact(query, scope)
        if exact:
            return _resolution(query, _decide(exact, prefer))
        words = normalise(query).split()
        if len(words) > 1 and words[-1] in DOMAIN_ENDINGS:
            return NotFound(query, [], EXACT_NAME)  # a domain no visible account has
        prefixed = self._prefixed(query, scope)
        if prefixed:
            return _resolution(query, _decide(prefixed, prefer))
        fuzzy = self._fuzzy(query, core_name(query), self._positions(scope), prefer)
        said = legal_form(normalise(query))
        if isinstance(fuzzy, Resolved) and not _same_form(
            said, self.forms.get(fuzzy.account.account_id, frozenset())
        ):
            return NotFound(query, [fuzzy.account], CONFIDENT - 1)  # another legal entity
        return fuzzy

    def _same_stem(self, core: str, position: int) -> bool:
        """A typo keeps the name's first, distinctive word close ("initeck", "globx")."""
        said, name = _first_word(core), _first_word(self.cores[position])
        return fuzz.ratio(said, name) >= CONFIDENT

    def _positions(self, scope: AccountScope) -> list[int]:
        if scope.csm_ids is None:
            return list(range(len(self.accounts)))
        return sorted(
            position
            for csm_id in scope.csm_ids
            for position in self.positions_by_csm.get(csm_id, [])
        )

    def _fuzzy(
        self, query: str, core: str, positions: list[int], prefer: BookPreference
    ) -> Resolution:
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
        if best_score >= CONFIDENT and not self._same_stem(core, ranked[0][0]):
            # "willow security" is not a typo of "wildflower security": the shared
            # industry word carried the score, the distinctive word differs.
            return NotFound(query, [self.accounts[p] for p, _ in ranked[:3]], best_score)
        if best_score >= CONFIDENT:
            close = [
                position
                for position, score in ranked
                if best_score - score < CLEAR_LEAD and self._same_stem(core, position)
            ]
            if len(close) == 1:
                return Resolved(self.accounts[close[0]])
            # "acmee" is a typo of "acme" (whole name), not of "acme labs" (a prefix of it).
            whole_matches = [p for p in close if whole.get(p, 0.0) >= CONFIDENT]
            if len(whole_matches) == 1:
                return Resolved(self.accounts[whole_matches[0]])
            candidates = [self.accounts[p] for p in close]
            ordered = sorted(candidates, key=prefer.rank)  # stable: score order within a book
            return Ambiguous(query, ordered[:MAX_CHOICES])
        return NotFound(query, [self.accounts[p] for p, _ in ranked[:3]], best_score)


def _first_word(text: str) -> str:
    return text.split(" ", 1)[0]


def _decide(matches: list[AccountName], prefer: BookPreference) -> list[AccountName]:
    """One account when it dominates, else the choice in the order to offer it.

    Equally good matches are ordered own book, team, others (then by name); the only
    candidate in the asker's own book dominates, nothing else does.
    """
    if len(matches) <= 1:
        return matches
    ordered = sorted(matches, key=lambda a: (prefer.rank(a), a.name.lower(), a.account_id))
    own = [a for a in ordered if prefer.rank(a) == 0]
    if len(own) == 1:
        return own
    return ordered[:MAX_CHOICES]


def _resolution(query: str, decided: list[AccountName]) -> Resolution:
    if len(decided) == 1:
        return Resolved(decided[0])
    return Ambiguous(query, decided)


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
    names: AccountNameCache,
    session: Session,
    query: str,
    scope: AccountScope,
    prefer: BookPreference = NO_PREFERENCE,
) -> AccountName:
    """The one account in ``scope`` that ``query`` (an id, a domain or a name) means.

    For commands that need a single account and cannot offer buttons to choose;
    every such command (drafts, ``csbot health show``, ``csbot tickets themes
    --account``, playbooks, escalations) resolves through here, so they agree.

    Raises:
        AccountNotFound: with the closest names (at most three) as suggestions.
        AmbiguousAccount: with the candidates, when several match equally well.
    """
    resolution = names.index(session).resolve(query, scope, prefer)
    if isinstance(resolution, Resolved):
        return resolution.account
    if isinstance(resolution, Ambiguous):
        raise AmbiguousAccount(query, [(a.account_id, a.name) for a in resolution.candidates])
    raise AccountNotFound(query, [a.name for a in resolution.suggestions][:3])
