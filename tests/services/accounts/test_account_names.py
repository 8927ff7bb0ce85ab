"""Fuzzy account resolution: case, suffixes, typos, prefixes, ambiguity and scope."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from bot.db.models import Account, Csm
from bot.db.queries.records import AccountName
from bot.db.queries.scope import AccountScope
from bot.services.accounts.names import (
    AccountNameCache,
    AccountNameIndex,
    Ambiguous,
    NotFound,
    Resolved,
    core_name,
    normalise,
)

ACCOUNTS = [
    AccountName("a1", "Acme Corp Inc", "alice", "active"),
    AccountName("a2", "Acme Labs", "bob", "active"),
    AccountName("g1", "Globex Corporation", "bob", "active"),
    AccountName("g2", "Globex, Inc.", "carol", "active"),
    AccountName("i1", "Initech Systems", "alice", "active"),
    AccountName("u1", "Umbrella Health Ltd", "bob", "active"),
    AccountName("z1", "Zoë's Café & Co", "carol", "active"),
]
INDEX = AccountNameIndex.build(ACCOUNTS)
EVERYTHING = AccountScope.everything()


def test_normalisation() -> None:
    assert normalise("Acme's  CORP, Inc.") == "acme corp inc"
    assert core_name("Acme Corp Inc") == "acme"
    assert core_name("The Globex Corporation") == "globex"
    assert core_name("Zoë's Café & Co") == "zoe cafe and"


@pytest.mark.parametrize(
    ("query", "account_id"),
    [
        ("acme", "a1"),  # suffix-less name wins over a longer name
        ("ACME CORP", "a1"),
        ("Acme Corp Inc", "a1"),
        ("acmee", "a1"),  # typo
        ("acme labs", "a2"),
        ("initech", "i1"),  # missing trailing word
        ("initeck", "i1"),  # typo in a prefix
        ("umbrella", "u1"),
        ("zoes cafe", "z1"),
        ("A1", "a1"),  # id
    ],
)
def test_resolves(query: str, account_id: str) -> None:
    result = INDEX.resolve(query, EVERYTHING)
    assert isinstance(result, Resolved), result
    assert result.account.account_id == account_id


def test_same_core_name_is_ambiguous() -> None:
    result = INDEX.resolve("globex", EVERYTHING)
    assert isinstance(result, Ambiguous)
    assert {a.account_id for a in result.candidates} == {"g1", "g2"}


def test_scope_decides_ambiguity_and_hides_other_books() -> None:
    bob = AccountScope.books({"bob"})
    result = INDEX.resolve("globex", bob)
    assert isinstance(result, Resolved) and result.account.account_id == "g1"
    hidden = INDEX.resolve("initech", bob)
    assert isinstance(hidden, NotFound) and hidden.suggestions == []


def test_unknown_gets_close_suggestions_only() -> None:
    near = INDEX.resolve("acne", EVERYTHING)
    assert isinstance(near, NotFound)
    assert [a.account_id for a in near.suggestions][:1] == ["a1"]
    far = INDEX.resolve("qwertyuiop", EVERYTHING)
    assert isinstance(far, NotFound) and far.suggestions == []


def test_mentions_are_found_inside_questions_longest_first() -> None:
    words = normalise("how is umbrella health ltd doing").split()
    mention = INDEX.find_mention(words, EVERYTHING, ignore=frozenset({"how", "is", "doing"}))
    assert mention is not None
    assert [a.account_id for a in mention.candidates] == ["u1"]
    assert words[mention.start : mention.end] == ["umbrella", "health", "ltd"]


def test_question_words_alone_never_make_a_mention() -> None:
    index = AccountNameIndex.build([AccountName("h1", "Health", None, "active")])
    words = ["what", "is", "my", "health"]
    assert index.find_mention(words, EVERYTHING, ignore=frozenset(words)) is None


def test_cache_rebuilds_when_accounts_change(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(Csm(csm_id="c1", name="C One"))
        session.add(Account(account_id="x1", name="Vandelay Industries", csm_id="c1"))
        session.commit()
    cache = AccountNameCache()
    with Session(engine) as session:
        first = cache.index(session)
        assert cache.index(session) is first  # unchanged table: same index
        assert isinstance(first.resolve("vandelay", EVERYTHING), Resolved)
        session.execute(
            update(Account).where(Account.account_id == "x1").values(name="Kramerica Industries")
        )
        session.commit()
        second = cache.index(session)
    assert second is not first
    result = second.resolve("kramerica", EVERYTHING)
    assert isinstance(result, Resolved) and result.account.account_id == "x1"
