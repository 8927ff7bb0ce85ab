"""Phrasings on the demo data: ``csbot demo``'s generator, the contract importer and
the real scorer, then questions whose expected figures are read back from that store.

The hand-made world (``qa_world``) covers the awkward cases; this covers what a new
user meets on ``make run``. Accounts and people are picked from the store (never
named in the test), and every expected value is computed here with plain SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import (
    Account,
    Contact,
    Contract,
    Csm,
    HealthScore,
    NpsResponse,
    Ticket,
    UsageDaily,
)
from bot.db.session import make_session_factory
from bot.services import Services
from bot.services.accounts.names import core_name
from bot.services.answers.pipeline import Question, answer_question
from bot.services.health.runs import score_portfolio
from bot.slack import formatting as fmt
from bot.sources.demo.generator import generate_demo
from bot.sources.demo.world import DemoConfig
from bot.sources.importer import import_folder
from tests.conftest import make_settings
from tests.support.blockcheck import assert_valid_blocks
from tests.support.databases import database_url, migrated_engine

END = date(2026, 3, 13)
NOW = datetime(2026, 3, 13, 12, 0, tzinfo=UTC)
ACCOUNTS_PICKED = 3


@dataclass(frozen=True)
class Cast:
    """Who asks and about what, chosen from the demo store."""

    admin: str
    csm: str
    csm_id: str
    accounts: list[str]  # account ids in the CSM's book, scored, with unique names


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Services, Cast]]:
    tmp = tmp_path_factory.mktemp("demo_qa")
    generate_demo(DemoConfig(end_date=END, accounts=60, days=120, seed=11), tmp / "contract")
    with database_url(str(request.param), tmp) as url, migrated_engine(url) as engine:
        import_folder(tmp / "contract", engine, actor="test")
        services = Services(
            settings=make_settings(tmp, url, CSBOT_VISIBILITY="own"),
            engine=engine,
            session_factory=make_session_factory(engine),
        )
        for offset in (30, 7, 0):
            score_portfolio(services, END - timedelta(days=offset), train_if_missing=False)
        yield services, _cast(services)


def _cast(services: Services) -> Cast:
    with Session(services.engine) as session:
        admin = session.scalar(select(Csm.slack_user_id).where(Csm.role == "admin"))
        names = list(session.scalars(select(Account.name)))
        cores = [core_name(n) for n in names]
        unique = {n for n, c in zip(names, cores, strict=True) if cores.count(c) == 1}
        busiest = session.execute(
            select(Csm.csm_id, Csm.slack_user_id)
            .join(Account, Account.csm_id == Csm.csm_id)
            .join(HealthScore, HealthScore.account_id == Account.account_id)
            .where(Csm.role == "csm", HealthScore.as_of == END, Account.status == "active")
            .group_by(Csm.csm_id, Csm.slack_user_id)
            .order_by(func.count().desc(), Csm.csm_id)
        ).first()
        assert busiest is not None and admin
        csm_id, csm = busiest
        scored = session.scalars(
            select(Account)
            .join(HealthScore, HealthScore.account_id == Account.account_id)
            .where(Account.csm_id == csm_id, HealthScore.as_of == END)
            .order_by(Account.arr.desc(), Account.account_id)
        )
        picked = [a.account_id for a in scored if a.name in unique][:ACCOUNTS_PICKED]
    assert len(picked) == ACCOUNTS_PICKED
    return Cast(admin=admin, csm=csm, csm_id=csm_id, accounts=picked)


# ----------------------------------------------------------------------------- expectations
Expect = Callable[[Session, Account, Cast], list[str]]


def _latest(session: Session, account_id: str, days_back: int = 0) -> HealthScore | None:
    return session.get(HealthScore, (account_id, END - timedelta(days=days_back)))


def overview(session: Session, account: Account, cast: Cast) -> list[str]:
    health = _latest(session, account.account_id)
    assert health is not None
    return [
        account.name,
        f"ARR: {fmt.money(account.arr, account.currency or 'USD')}",
        f"health {fmt.score(health.score)}",
        fmt.band_label(health.band),
    ]


def health(session: Session, account: Account, cast: Cast) -> list[str]:
    row = _latest(session, account.account_id)
    assert row is not None
    return [f"health {fmt.score(row.score)}", *[str(d["text"]) for d in row.drivers[:3]]]


def health_change(session: Session, account: Account, cast: Cast) -> list[str]:
    now, before = _latest(session, account.account_id), _latest(session, account.account_id, 7)
    assert now is not None and before is not None
    return [f"{fmt.score(before.score)} → {fmt.score(now.score)}", fmt.day(before.as_of)]


def renewal(session: Session, account: Account, cast: Cast) -> list[str]:
    contract = session.scalars(
        select(Contract)
        .where(
            Contract.account_id == account.account_id,
            Contract.status == "active",
            Contract.end_date >= END,
        )
        .order_by(Contract.end_date)
    ).first()
    if contract is None:
        return ["no active contract"] if not _any_active(session, account) else ["overdue"]
    return [fmt.day(contract.end_date), fmt.days_until(contract.end_date, END)]


def _any_active(session: Session, account: Account) -> bool:
    return bool(
        session.scalar(
            select(func.count()).where(
                Contract.account_id == account.account_id, Contract.status == "active"
            )
        )
    )


def tickets(session: Session, account: Account, cast: Cast) -> list[str]:
    open_count = session.scalar(
        select(func.count()).where(
            Ticket.account_id == account.account_id, Ticket.status.in_(["open", "pending"])
        )
    )
    return [f"Open: {open_count}"]


def contacts(session: Session, account: Account, cast: Cast) -> list[str]:
    people = list(session.scalars(select(Contact).where(Contact.account_id == account.account_id)))
    champions = [c.name for c in people if c.is_champion and c.is_active is not False]
    return champions[:1] or ["No champion recorded"]


def nps(session: Session, account: Account, cast: Cast) -> list[str]:
    scores = list(
        session.scalars(
            select(NpsResponse.score)
            .where(NpsResponse.account_id == account.account_id)
            .order_by(NpsResponse.responded_at.desc(), NpsResponse.response_id.desc())
        )
    )
    if not scores:
        return ["No NPS responses"]
    return [f"Latest score {scores[0]}", f"{sum(scores) / len(scores):.1f} over"]


def usage(session: Session, account: Account, cast: Cast) -> list[str]:
    last = session.scalar(
        select(func.max(UsageDaily.date)).where(UsageDaily.account_id == account.account_id)
    )
    if last is None:
        return ["No usage data"]
    last = min(last, NOW.date() - timedelta(days=1))  # today's row is a partial day
    start = last - timedelta(days=29)
    recent = session.scalar(
        select(func.avg(UsageDaily.active_users)).where(
            UsageDaily.account_id == account.account_id,
            UsageDaily.date >= start,
            UsageDaily.date <= last,
        )
    )
    return [
        f"Last 30 days ({fmt.day(start)} – {fmt.day(last)})",
        f"{float(recent):,.1f}".rstrip("0").rstrip("."),
    ]


def arr(session: Session, account: Account, cast: Cast) -> list[str]:
    return [f"ARR is {fmt.money(account.arr, account.currency or 'USD')}"]


ACCOUNT_TEMPLATES: list[tuple[str, str, Expect]] = [
    ("how is {name} doing?", "account_overview", overview),
    ("tell me about {lower}", "account_overview", overview),
    ("{name}", "account_overview", overview),
    ("what's {name}'s health score?", "health", health),
    ("why did {name}'s health change?", "health_change", health_change),
    ("when does {name} renew?", "renewal_date", renewal),
    ("open tickets for {name}", "tickets", tickets),
    ("who is the champion at {name}?", "contacts", contacts),
    ("{name} nps", "nps", nps),
    ("what's the arr of {upper}?", "arr", arr),
    ("is {name} healthy?", "health", health),
    ("{name} renewal date", "renewal_date", renewal),
    ("usage trend for {name}", "usage", usage),
    ("contacts at {name}", "contacts", contacts),
    ("what changed at {name} this week", "health_change", health_change),
]


def _book(session: Session, csm_id: str | None) -> list[Account]:
    """Active accounts of one CSM, or of everyone (``None``: the admin's view)."""
    query = select(Account).where(Account.status == "active")
    if csm_id is not None:
        query = query.where(Account.csm_id == csm_id)
    return list(session.scalars(query))


def _usd(accounts: list[Account]) -> str:
    return fmt.money(sum((a.arr or Decimal(0) for a in accounts), Decimal(0)))


def my_accounts(session: Session, csm_id: str | None) -> list[str]:
    book = _book(session, csm_id)
    return [fmt.plural(len(book), "account"), _usd(book)]


def my_arr(session: Session, csm_id: str | None) -> list[str]:
    book = _book(session, csm_id)
    return [_usd(book), fmt.plural(len(book), "active account")]


def my_renewals(session: Session, csm_id: str | None) -> list[str]:
    books = {a.account_id for a in _book(session, csm_id)}
    rows = [
        c
        for c in session.scalars(
            select(Contract).where(
                Contract.status == "active",
                Contract.end_date >= END,
                Contract.end_date <= END + timedelta(days=90),
            )
        )
        if c.account_id in books
    ]
    if not rows:
        return ["No renewals"]
    return [fmt.plural(len(rows), "contract"), fmt.money(sum((c.arr for c in rows), Decimal(0)))]


def my_at_risk(session: Session, csm_id: str | None) -> list[str]:
    risky = [
        a
        for a in _book(session, csm_id)
        if (row := _latest(session, a.account_id)) and (row.band == "red" or row.stage == "at-risk")
    ]
    if not risky:
        return ["No red or at-risk accounts"]
    return [fmt.plural(len(risky), "account"), _usd(risky)]


def my_red(session: Session, csm_id: str | None) -> list[str]:
    red = [
        a
        for a in _book(session, csm_id)
        if (row := _latest(session, a.account_id)) and row.band == "red"
    ]
    return [fmt.plural(len(red), "account"), _usd(red)] if red else ["No red accounts"]


def band_changes(session: Session, csm_id: str | None) -> list[str]:
    changed = [
        a.name
        for a in _book(session, csm_id)
        if (now := _latest(session, a.account_id))
        and (then := _latest(session, a.account_id, 7))
        and now.band != then.band
    ]
    return [fmt.plural(len(changed), "account"), *changed[:10]] if changed else ["No account"]


PortfolioExpect = Callable[[Session, str | None], list[str]]
# (the CSM's phrasing, the admin's phrasing of the same question for everyone, intent, expect)
PORTFOLIO: list[tuple[str, str, str, PortfolioExpect]] = [
    ("my accounts", "all accounts", "accounts", my_accounts),
    ("show my book", "how many accounts do we have across the company?", "accounts", my_accounts),
    ("my arr", "total arr", "arr", my_arr),
    ("how much arr do I manage?", "what's our overall arr", "arr", my_arr),
    (
        "my renewals in the next 90 days",
        "all renewals in the next 90 days",
        "renewals",
        my_renewals,
    ),
    ("upcoming renewals", "every renewal coming up in the next 90 days", "renewals", my_renewals),
    ("my red accounts", "all red accounts", "at_risk", my_red),
    (
        "which of my accounts are at risk?",
        "which accounts are at risk across the org?",
        "at_risk",
        my_at_risk,
    ),
    (
        "which of my accounts changed band this week?",
        "which accounts changed band this week?",
        "band_changes",
        band_changes,
    ),
    ("band changes", "band changes across everyone", "band_changes", band_changes),
]


CASES = [
    (template, pick, intent, expect)
    for template, intent, expect in ACCOUNT_TEMPLATES
    for pick in range(ACCOUNTS_PICKED)
]


def test_at_least_sixty_demo_phrasings() -> None:
    assert len(CASES) + len(PORTFOLIO) * 2 >= 60


@pytest.mark.parametrize(
    ("template", "pick", "intent", "expect"),
    CASES,
    ids=[f"{template}#{pick}" for template, pick, _i, _e in CASES],
)
def test_account_question_on_demo_data(
    demo: tuple[Services, Cast], template: str, pick: int, intent: str, expect: Expect
) -> None:
    services, cast = demo
    with Session(services.engine) as session:
        account = session.get(Account, cast.accounts[pick])
        assert account is not None
        question = template.format(
            name=account.name, lower=account.name.lower(), upper=account.name.upper()
        )
        expected = expect(session, account, cast)
    answer = answer_question(services, Question(text=question, slack_user_id=cast.csm, now=NOW))

    assert (answer.intent, answer.account_id) == (intent, account.account_id), answer.text
    missing = [fragment for fragment in expected if fragment not in answer.text]
    assert not missing, f"missing {missing} in:\n{answer.text}"
    assert_valid_blocks(answer.blocks)


@pytest.mark.parametrize("as_admin", [False, True], ids=["csm", "admin"])
@pytest.mark.parametrize(
    ("question", "admin_question", "intent", "expect"), PORTFOLIO, ids=[p[0] for p in PORTFOLIO]
)
def test_portfolio_question_on_demo_data(
    demo: tuple[Services, Cast],
    question: str,
    admin_question: str,
    intent: str,
    expect: PortfolioExpect,
    as_admin: bool,
) -> None:
    """The CSM asks about their book; the admin asks the same about everyone's."""
    services, cast = demo
    asker, text = (cast.admin, admin_question) if as_admin else (cast.csm, question)
    answer = answer_question(services, Question(text=text, slack_user_id=asker, now=NOW))

    assert answer.intent == intent, answer.text
    assert_valid_blocks(answer.blocks)
    with Session(services.engine) as session:
        expected = expect(session, None if as_admin else cast.csm_id)
    missing = [fragment for fragment in expected if fragment not in answer.text]
    assert not missing, f"missing {missing} in:\n{answer.text}"
