"""Fuzzy account resolution: case, suffixes, typos, prefixes, ambiguity and scope."""

from __future__ import annotations

import dataclasses

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
    BookPreference,
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


# ----------------------------------------------------------------------------- issue 14 rules
REALISTIC = [
    AccountName("ACC-1001", "Zephyr Biotech Group", "ana", "active", "zephyrbiotechgroup.com"),
    AccountName("ACC-1002", "Zephyr Biotech Co", "ben", "active", "zephyrbiotech.com"),
    AccountName("ACC-1003", "Summit Health", "ana", "active"),
    AccountName("ACC-1004", "Summit Logistics", "ben", "active"),
    AccountName("ACC-7731", "Atlas Insurance Corp", "cem", "active", "atlasinsurance.com"),
    AccountName("ACC-1005", "Atlas Insurance Brokers Ltd", "ben", "active"),
]
REAL = AccountNameIndex.build(REALISTIC)
ANA = BookPreference(own=frozenset({"ana"}), team=frozenset({"ana", "cem"}))
BEN = BookPreference(own=frozenset({"ben"}))
CEM_TEAMMATE = BookPreference(own=frozenset({"dee"}), team=frozenset({"dee", "cem"}))


def resolved_id(query: str, prefer: BookPreference = BookPreference(), scope=EVERYTHING) -> str:  # noqa: B008, ANN001
    result = REAL.resolve(query, scope, prefer)
    assert isinstance(result, Resolved), result
    return result.account.account_id


@pytest.mark.parametrize(
    ("query", "account_id"),
    [
        ("Zephyr Biotech Group", "ACC-1001"),  # exact legal names win outright
        ("zephyr biotech co", "ACC-1002"),
        ("Atlas Insurance Corp", "ACC-7731"),
        ("atlas insurance", "ACC-7731"),  # without its suffix, over a longer name
        ("summit health", "ACC-1003"),  # industry words are part of the name
        ("summit logistics", "ACC-1004"),
        ("ACC-7731", "ACC-7731"),  # CRM ids, any case
        ("acc-7731", "ACC-7731"),
        ("acc 7731", "ACC-7731"),
        ("atlasinsurance.com", "ACC-7731"),  # domains, as typed or pasted
        ("https://www.AtlasInsurance.com/", "ACC-7731"),
    ],
)
def test_exact_names_ids_and_domains_win_outright(query: str, account_id: str) -> None:
    assert resolved_id(query) == account_id
    assert resolved_id(query, BEN) == account_id  # whoever asks


def test_a_shared_short_name_goes_to_the_askers_own_book_else_a_choice() -> None:
    assert resolved_id("zephyr biotech", ANA) == "ACC-1001"
    assert resolved_id("zephyr biotech", BEN) == "ACC-1002"
    assert resolved_id("zephyr", ANA) == "ACC-1001"
    nobody = REAL.resolve("zephyr biotech", EVERYTHING, CEM_TEAMMATE)
    assert isinstance(nobody, Ambiguous)
    assert {a.account_id for a in nobody.candidates} == {"ACC-1001", "ACC-1002"}
    admin = REAL.resolve("summit", EVERYTHING)
    assert isinstance(admin, Ambiguous) and len(admin.candidates) == 2


def test_the_team_comes_before_others_in_a_choice() -> None:
    both = BookPreference(own=frozenset({"dee"}), team=frozenset({"dee", "ben"}))
    result = REAL.resolve("zephyr", EVERYTHING, both)
    assert isinstance(result, Ambiguous)
    assert [a.account_id for a in result.candidates] == ["ACC-1002", "ACC-1001"]


def test_hidden_accounts_never_decide_or_appear() -> None:
    ana_only = AccountScope.books({"ana"})
    assert resolved_id("zephyr biotech", ANA, ana_only) == "ACC-1001"
    assert resolved_id("zephyr", ANA, ana_only) == "ACC-1001"
    hidden = REAL.resolve("zephyr biotech co", ana_only, ANA)
    invented = REAL.resolve("zephyr biotech plc", ana_only, ANA)
    assert hidden == dataclasses.replace(invented, query=hidden.query)  # no hint it exists
    by_id = REAL.resolve("ACC-7731", AccountScope.books({"ben"}), BEN)
    assert isinstance(by_id, NotFound)
    assert "ACC-7731" not in {a.account_id for a in by_id.suggestions}


@pytest.mark.parametrize(
    ("question", "said", "ids"),
    [
        ("why did zephyr biotech drop", "zephyr biotech", ["ACC-1002"]),
        ("how is summit health doing", "summit health", ["ACC-1003"]),
        ("nps for ACC-7731 please", "acc 7731", ["ACC-7731"]),
        ("how is summit biotech doing", "summit biotech", []),  # another company
    ],
)
def test_mentions_apply_the_same_rules(question: str, said: str, ids: list[str]) -> None:
    words = normalise(question).split()
    ignore = frozenset({"why", "did", "drop", "how", "is", "doing", "nps", "for", "please"})
    mention = REAL.find_mention(words, EVERYTHING, ignore=ignore, prefer=BEN)
    assert mention is not None
    assert " ".join(words[mention.start : mention.end]).startswith(said)
    assert [a.account_id for a in mention.candidates] == ids


def test_a_typed_legal_form_must_fit() -> None:
    ana_only = AccountScope.books({"ana"})
    for said in ("zephyr biotech co", "zephyr biotech plc", "zephyr biotec co"):
        result = REAL.resolve(said, ana_only, ANA)
        assert not isinstance(result, Resolved), (said, result)
    assert resolved_id("zephyr biotech group", ANA, ana_only) == "ACC-1001"
    assert resolved_id("atlas insurance corporation") == "ACC-7731"  # one form, two spellings
    words = normalise("how is zephyr biotech co doing").split()
    mention = REAL.find_mention(words, ana_only, ignore=frozenset({"how", "is", "doing"}))
    assert mention is not None and mention.candidates == []
