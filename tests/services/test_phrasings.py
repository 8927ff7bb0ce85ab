"""Sixty-plus ways people ask, each checked against figures read back from the store.

Every expected value is computed here with plain SQLAlchemy against the world's
tables (not with the query functions under test), then formatted the way
answers format numbers; nothing is typed twice. Runs on SQLite and PostgreSQL
with ``CSBOT_VISIBILITY=own``.
"""

from __future__ import annotations

from collections.abc import Callable
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
    Cta,
    HealthOverride,
    HealthScore,
    NpsResponse,
    Ticket,
    UsageDaily,
)
from bot.services import Services
from bot.services.answers.pipeline import Answer, Question, answer_question
from bot.slack import formatting as fmt
from tests.services.qa_world import ADMIN, ALICE, BOB, CAROL, MANAGER, NOW, TODAY
from tests.support.blockcheck import assert_valid_blocks

BOOKS = {
    ALICE: {"csm_alice"},
    BOB: {"csm_bob"},
    CAROL: {"csm_carol"},
    MANAGER: {"csm_mgr", "csm_alice", "csm_bob"},
    ADMIN: None,  # everything
}


# ----------------------------------------------------------------------------- the store, read plainly
@dataclass
class Store:
    session: Session

    def account(self, account_id: str) -> Account:
        account = self.session.get(Account, account_id)
        assert account is not None
        return account

    def health(self, account_id: str, *, days_back: int = 0) -> HealthScore:
        latest = self.session.scalar(
            select(func.max(HealthScore.as_of)).where(HealthScore.account_id == account_id)
        )
        row = self.session.get(HealthScore, (account_id, latest - timedelta(days=days_back)))
        assert row is not None
        return row

    def renewal(self, account_id: str) -> Contract:
        contract = self.session.scalars(
            select(Contract)
            .where(Contract.account_id == account_id, Contract.status == "active")
            .order_by(Contract.end_date)
        ).first()
        assert contract is not None
        return contract

    def active_accounts(self, user: str) -> list[Account]:
        query = select(Account).where(Account.status == "active")
        books = BOOKS[user]
        if books is not None:
            query = query.where(Account.csm_id.in_(books))
        return list(self.session.scalars(query))

    def shown_band(self, account_id: str) -> str | None:
        override = self.session.scalars(
            select(HealthOverride.band).where(
                HealthOverride.account_id == account_id,
                HealthOverride.until >= TODAY,
                HealthOverride.cleared_at.is_(None),
            )
        ).first()
        if override:
            return override
        row = self.session.get(HealthScore, (account_id, TODAY))
        return row.band if row else None

    def at_risk(self, user: str) -> list[Account]:
        risky = []
        for account in self.active_accounts(user):
            row = self.session.get(HealthScore, (account.account_id, TODAY))
            if self.shown_band(account.account_id) == "red" or (row and row.stage == "at-risk"):
                risky.append(account)
        return risky

    def open_tickets(self, account_id: str) -> list[Ticket]:
        return list(
            self.session.scalars(
                select(Ticket).where(
                    Ticket.account_id == account_id, Ticket.status.in_(["open", "pending"])
                )
            )
        )

    def usage_avg(self, account_id: str, start: date, end: date) -> float:
        value = self.session.scalar(
            select(func.avg(UsageDaily.active_users)).where(
                UsageDaily.account_id == account_id,
                UsageDaily.date >= start,
                UsageDaily.date <= end,
            )
        )
        return float(value)

    def latest_usage_day(self, account_id: str) -> date:
        return self.session.scalar(
            select(func.max(UsageDaily.date)).where(UsageDaily.account_id == account_id)
        )

    def renewals(self, user: str, start: date, end: date) -> list[tuple[Account, Contract]]:
        rows = []
        for account in self.active_accounts(user):
            for contract in self.session.scalars(
                select(Contract).where(
                    Contract.account_id == account.account_id,
                    Contract.status == "active",
                    Contract.end_date >= start,
                    Contract.end_date <= end,
                )
            ):
                rows.append((account, contract))
        return rows


def money_total(accounts_or_amounts: list[Decimal], currency: str = "USD") -> str:
    return fmt.money(sum(accounts_or_amounts, Decimal(0)), currency)


def usd_total(accounts: list[Account]) -> str:
    return money_total([a.arr for a in accounts if (a.currency or "USD") == "USD"])


# ----------------------------------------------------------------------------- expectations
Expect = Callable[[Store], list[str]]


def overview(account_id: str) -> Expect:
    def expect(store: Store) -> list[str]:
        account = store.account(account_id)
        health = store.health(account_id)
        week = store.health(account_id, days_back=7)
        return [
            account.name,
            f"health {fmt.score(health.score)}",
            fmt.band_label(store.shown_band(account_id)),
            f"{fmt.signed(health.score - week.score)} in 7 days",
            f"ARR: {fmt.money(account.arr, account.currency)}",
            f"Renewal: {fmt.day(store.renewal(account_id).end_date)}",
            f"Open tickets: {len(store.open_tickets(account_id))}",
            f"CSM: {store.session.get(Csm, account.csm_id).name}",
        ]

    return expect


def health(account_id: str) -> Expect:
    def expect(store: Store) -> list[str]:
        row = store.health(account_id)
        drivers = [d["text"] for d in row.drivers]
        components = [
            fmt.score(c["score"]) for c in row.components.values() if c["score"] is not None
        ]
        return [f"health {fmt.score(row.score)}", *drivers, *components]

    return expect


def health_change(account_id: str, days: int = 7) -> Expect:
    def expect(store: Store) -> list[str]:
        now = store.health(account_id)
        before = store.health(account_id, days_back=days)
        return [
            f"{fmt.score(before.score)} → {fmt.score(now.score)}",
            fmt.signed(now.score - before.score),
            fmt.day(before.as_of),
        ]

    return expect


def renewal_date(account_id: str) -> Expect:
    def expect(store: Store) -> list[str]:
        contract = store.renewal(account_id)
        return [
            fmt.day(contract.end_date),
            fmt.days_until(contract.end_date, TODAY),
            fmt.money(contract.arr, store.account(account_id).currency),
        ]

    return expect


def renewals(user: str, start: date, end: date) -> Expect:
    def expect(store: Store) -> list[str]:
        rows = store.renewals(user, start, end)
        names = [account.name for account, _ in sorted(rows, key=lambda r: r[1].end_date)][:10]
        if not rows:
            return ["No renewals"]
        total = money_total([c.arr for a, c in rows if (a.currency or "USD") == "USD"])
        return [fmt.plural(len(rows), "contract"), total, *names]

    return expect


def account_list(user: str, *, at_risk: bool = False, band: str | None = None) -> Expect:
    def expect(store: Store) -> list[str]:
        accounts = store.at_risk(user) if at_risk else store.active_accounts(user)
        if band is not None:
            accounts = [a for a in accounts if store.shown_band(a.account_id) == band]
        names = [a.name for a in accounts] if len(accounts) <= 10 else []
        return [fmt.plural(len(accounts), "account"), usd_total(accounts), *names]

    return expect


def usage(account_id: str) -> Expect:
    def expect(store: Store) -> list[str]:
        end = store.latest_usage_day(account_id)
        start = end - timedelta(days=29)
        recent = store.usage_avg(account_id, start, end)
        prior = store.usage_avg(account_id, start - timedelta(days=30), start - timedelta(days=1))
        change = fmt.percent((recent - prior) / prior, signed_value=True)
        return [f"{recent:,.0f} vs {prior:,.0f}", change, fmt.day(end)]

    return expect


def tickets(account_id: str, *, recent: bool = False) -> Expect:
    def expect(store: Store) -> list[str]:
        open_ones = store.open_tickets(account_id)
        if recent:
            since = datetime.combine(TODAY - timedelta(days=30), datetime.min.time(), UTC)
            shown = list(
                store.session.scalars(
                    select(Ticket).where(
                        Ticket.account_id == account_id, Ticket.created_at >= since
                    )
                )
            )
        else:
            shown = open_ones
        return [f"Open: {len(open_ones)}", *[t.ticket_id for t in shown]]

    return expect


def contacts(account_id: str) -> Expect:
    def expect(store: Store) -> list[str]:
        people = list(
            store.session.scalars(select(Contact).where(Contact.account_id == account_id))
        )
        champions = [c.name for c in people if c.is_champion and c.is_active]
        return [*champions, *[c.name for c in people]]

    return expect


def nps(account_id: str) -> Expect:
    def expect(store: Store) -> list[str]:
        scores = list(
            store.session.scalars(
                select(NpsResponse.score)
                .where(NpsResponse.account_id == account_id)
                .order_by(NpsResponse.responded_at.desc())
            )
        )
        return [
            f"Latest score {scores[0]}",
            f"{sum(scores) / len(scores):.1f} over {fmt.plural(len(scores), 'response')}",
        ]

    return expect


def portfolio_nps(user: str) -> Expect:
    def expect(store: Store) -> list[str]:
        since = datetime.combine(TODAY - timedelta(days=90), datetime.min.time(), UTC)
        books = {a.account_id for a in store.active_accounts(user)}
        scores = [
            r.score
            for r in store.session.scalars(
                select(NpsResponse).where(NpsResponse.responded_at >= since)
            )
            if r.account_id in books
        ]
        promoters = sum(s >= 9 for s in scores)
        detractors = sum(s <= 6 for s in scores)
        return [
            fmt.nps(100 * (promoters - detractors) / len(scores)),
            fmt.plural(len(scores), "response"),
        ]

    return expect


def account_arr(account_id: str) -> Expect:
    def expect(store: Store) -> list[str]:
        account = store.account(account_id)
        return [f"ARR is {fmt.money(account.arr, account.currency)}"]

    return expect


def portfolio_arr(user: str) -> Expect:
    def expect(store: Store) -> list[str]:
        accounts = store.active_accounts(user)
        return [
            usd_total(accounts),
            fmt.plural(len(accounts), "active account"),
            usd_total(store.at_risk(user)),
        ]

    return expect


def portfolio_health(user: str) -> Expect:
    def expect(store: Store) -> list[str]:
        bands = [store.shown_band(a.account_id) for a in store.active_accounts(user)]
        counts = [f"{fmt.band_label(b)} {bands.count(b)}" for b in ("red", "yellow", "green")]
        return [*counts, usd_total(store.at_risk(user))]

    return expect


def arr_at_risk(user: str) -> Expect:
    def expect(store: Store) -> list[str]:
        risky = store.at_risk(user)
        return [usd_total(risky), *[a.name for a in risky]]

    return expect


def band_changes(user: str) -> Expect:
    def expect(store: Store) -> list[str]:
        changed = []
        for account in store.active_accounts(user):
            now = store.session.get(HealthScore, (account.account_id, TODAY))
            then = store.session.get(HealthScore, (account.account_id, TODAY - timedelta(days=7)))
            if now and then and now.band != then.band:
                changed.append(f"{account.name} — {fmt.band_label(then.band)}")
        return [fmt.plural(len(changed), "account"), *changed] if changed else ["No account"]

    return expect


def next_steps(account_id: str) -> Expect:
    def expect(store: Store) -> list[str]:
        open_ctas = store.session.scalars(
            select(Cta.reason).where(Cta.account_id == account_id, Cta.status != "completed")
        )
        return list(open_ctas)

    return expect


def portfolio_ctas(user: str) -> Expect:
    def expect(store: Store) -> list[str]:
        books = {a.account_id for a in store.active_accounts(user)}
        reasons = [
            c.reason
            for c in store.session.scalars(select(Cta).where(Cta.status != "completed"))
            if c.account_id in books
        ]
        return [fmt.plural(len(reasons), "open CTA"), *reasons]

    return expect


def names(*fragments: str) -> Expect:
    return lambda store: list(fragments)


# ----------------------------------------------------------------------------- the phrasings
QUARTER_START = date(2025, 7, 1)
QUARTER_END = date(2025, 9, 30)

CASES: list[tuple[str, str, str, str | None, Expect]] = [
    # account overview
    ("how is acme doing?", ALICE, "account_overview", "acc_acme", overview("acc_acme")),
    ("How's Acme doing", ALICE, "account_overview", "acc_acme", overview("acc_acme")),
    ("tell me about acme corp", ALICE, "account_overview", "acc_acme", overview("acc_acme")),
    ("acme", ALICE, "account_overview", "acc_acme", overview("acc_acme")),
    ("ACME CORP INC", ALICE, "account_overview", "acc_acme", overview("acc_acme")),
    ("how is acmee doing", ALICE, "account_overview", "acc_acme", overview("acc_acme")),
    (
        "give me the rundown on initech",
        ALICE,
        "account_overview",
        "acc_initech",
        overview("acc_initech"),
    ),
    (
        "what's going on with stark industries?",
        ALICE,
        "account_overview",
        "acc_stark",
        names("Stark Industries", "overdue"),
    ),
    (
        "how is umbrella health doing",
        BOB,
        "account_overview",
        "acc_umbrella",
        overview("acc_umbrella"),
    ),
    ("status of globex", BOB, "account_overview", "acc_globex_corp", overview("acc_globex_corp")),
    # health and why it changed
    ("what's acme's health score", ALICE, "health", "acc_acme", health("acc_acme")),
    ("health of initech", ALICE, "health", "acc_initech", health("acc_initech")),
    ("is acme healthy?", ALICE, "health", "acc_acme", health("acc_acme")),
    ("what band is stark in", ALICE, "health", "acc_stark", health("acc_stark")),
    ("initeck health", ALICE, "health", "acc_initech", health("acc_initech")),
    ("why did acme's health drop?", ALICE, "health_change", "acc_acme", health_change("acc_acme")),
    ("why is acme red?", ALICE, "health_change", "acc_acme", health_change("acc_acme")),
    (
        "what changed at acme this month",
        ALICE,
        "health_change",
        "acc_acme",
        health_change("acc_acme", 30),
    ),
    (
        "explain umbrella health's score",
        BOB,
        "health_change",
        "acc_umbrella",
        health_change("acc_umbrella"),
    ),
    (
        "what's driving initech's score",
        ALICE,
        "health_change",
        "acc_initech",
        health_change("acc_initech"),
    ),
    # renewal date
    ("when does acme renew?", ALICE, "renewal_date", "acc_acme", renewal_date("acc_acme")),
    ("acme renewal date", ALICE, "renewal_date", "acc_acme", renewal_date("acc_acme")),
    (
        "when is initech's renewal",
        ALICE,
        "renewal_date",
        "acc_initech",
        renewal_date("acc_initech"),
    ),
    (
        "when does the stark contract end",
        ALICE,
        "renewal_date",
        "acc_stark",
        renewal_date("acc_stark"),
    ),
    ("renewals for umbrella", BOB, "renewal_date", "acc_umbrella", renewal_date("acc_umbrella")),
    # renewals in a window
    (
        "my renewals in the next 90 days",
        ALICE,
        "renewals",
        None,
        renewals(ALICE, TODAY, TODAY + timedelta(days=90)),
    ),
    (
        "team renewals next quarter",
        MANAGER,
        "renewals",
        None,
        renewals(MANAGER, QUARTER_START, QUARTER_END),
    ),
    (
        "what renews in 60 days",
        ADMIN,
        "renewals",
        None,
        renewals(ADMIN, TODAY, TODAY + timedelta(days=60)),
    ),
    ("all renewals this month", ADMIN, "renewals", None, renewals(ADMIN, TODAY, date(2025, 6, 30))),
    ("upcoming renewals", BOB, "renewals", None, renewals(BOB, TODAY, TODAY + timedelta(days=90))),
    (
        "which accounts renew next quarter?",
        CAROL,
        "renewals",
        None,
        renewals(CAROL, QUARTER_START, QUARTER_END),
    ),
    (
        "renewals within 30 days for my team",
        MANAGER,
        "renewals",
        None,
        renewals(MANAGER, TODAY, TODAY + timedelta(days=30)),
    ),
    # my accounts, my red ones
    ("my accounts", ALICE, "accounts", None, account_list(ALICE)),
    ("list my accounts", BOB, "accounts", None, account_list(BOB)),
    ("show my book", ALICE, "accounts", None, account_list(ALICE)),
    ("team accounts", MANAGER, "accounts", None, account_list(MANAGER)),
    ("how many accounts do we have", ADMIN, "accounts", None, account_list(ADMIN)),
    ("my red accounts", ALICE, "at_risk", None, account_list(ALICE, band="red")),
    (
        "which of my accounts are at risk?",
        ALICE,
        "at_risk",
        None,
        account_list(ALICE, at_risk=True),
    ),
    ("at-risk accounts for my team", MANAGER, "at_risk", None, account_list(MANAGER, at_risk=True)),
    ("accounts in the red", ADMIN, "at_risk", None, account_list(ADMIN, band="red")),
    # usage
    ("usage trend for acme", ALICE, "usage", "acc_acme", usage("acc_acme")),
    ("how is acme's usage", ALICE, "usage", "acc_acme", usage("acc_acme")),
    ("is acme using the product?", ALICE, "usage", "acc_acme", usage("acc_acme")),
    ("acme logins last 30 days", ALICE, "usage", "acc_acme", usage("acc_acme")),
    ("active users at initech", ALICE, "usage", "acc_initech", usage("acc_initech")),
    # tickets
    ("open tickets for acme", ALICE, "tickets", "acc_acme", tickets("acc_acme")),
    ("acme's support tickets", ALICE, "tickets", "acc_acme", tickets("acc_acme")),
    ("any escalated tickets at acme?", ALICE, "tickets", "acc_acme", tickets("acc_acme")),
    ("recent tickets at acme", ALICE, "tickets", "acc_acme", tickets("acc_acme", recent=True)),
    ("support issues for umbrella health", BOB, "tickets", "acc_umbrella", tickets("acc_umbrella")),
    (
        "open tickets across my team",
        MANAGER,
        "tickets",
        None,
        names("Acme Corp Inc — 3 open tickets (1 urgent)", "Umbrella Health Ltd"),
    ),
    # contacts and champion
    ("who is the champion at acme", ALICE, "contacts", "acc_acme", contacts("acc_acme")),
    ("contacts at acme", ALICE, "contacts", "acc_acme", contacts("acc_acme")),
    ("who should I talk to at initech", ALICE, "contacts", "acc_initech", contacts("acc_initech")),
    ("umbrella stakeholders", BOB, "contacts", "acc_umbrella", contacts("acc_umbrella")),
    # NPS
    ("acme nps", ALICE, "nps", "acc_acme", nps("acc_acme")),
    ("what's acme's NPS score?", ALICE, "nps", "acc_acme", nps("acc_acme")),
    ("survey results for umbrella", BOB, "nps", "acc_umbrella", nps("acc_umbrella")),
    ("what's our nps", MANAGER, "nps", None, portfolio_nps(MANAGER)),
    # ARR and totals
    ("what's acme's arr", ALICE, "arr", "acc_acme", account_arr("acc_acme")),
    ("how much is hooli worth", CAROL, "arr", "acc_hooli", account_arr("acc_hooli")),
    ("my arr", ALICE, "arr", None, portfolio_arr(ALICE)),
    ("team arr", MANAGER, "arr", None, portfolio_arr(MANAGER)),
    ("total arr", ADMIN, "arr", None, portfolio_arr(ADMIN)),
    ("how much arr do I manage", BOB, "arr", None, portfolio_arr(BOB)),
    # ARR at risk
    ("arr at risk", ADMIN, "arr_at_risk", None, arr_at_risk(ADMIN)),
    ("how much revenue is at risk on my team", MANAGER, "arr_at_risk", None, arr_at_risk(MANAGER)),
    ("my arr at risk", ALICE, "arr_at_risk", None, arr_at_risk(ALICE)),
    # band changes
    ("which accounts changed band this week", ADMIN, "band_changes", None, band_changes(ADMIN)),
    ("who turned red this week?", MANAGER, "band_changes", None, band_changes(MANAGER)),
    ("band changes for my team", MANAGER, "band_changes", None, band_changes(MANAGER)),
    ("any of my accounts change band?", CAROL, "band_changes", None, band_changes(CAROL)),
    # what to do next
    ("what should I do about acme?", ALICE, "next_steps", "acc_acme", next_steps("acc_acme")),
    ("next steps for acme", ALICE, "next_steps", "acc_acme", next_steps("acc_acme")),
    ("open ctas for acme", ALICE, "next_steps", "acc_acme", next_steps("acc_acme")),
    ("my open ctas", CAROL, "next_steps", None, portfolio_ctas(CAROL)),
    # portfolio forms of account questions, and stray words that are not names
    ("what's the health of my portfolio", MANAGER, "health", None, portfolio_health(MANAGER)),
    ("why did health drop across my team?", MANAGER, "health_change", None, band_changes(MANAGER)),
    ("average nps for my team", MANAGER, "nps", None, portfolio_nps(MANAGER)),
    (
        "what renews before the end of the year",
        BOB,
        "renewals",
        None,
        renewals(BOB, TODAY, date(2025, 12, 31)),
    ),
    (
        "my renewals next quarter",
        MANAGER,
        "renewals",
        None,  # a manager's "my" is the team
        renewals(MANAGER, QUARTER_START, QUARTER_END),
    ),
    ("my accounts", ADMIN, "accounts", None, account_list(ADMIN)),  # an admin's is everyone's
    # out of scope and help
    (
        "what's the weather in paris",
        ALICE,
        "unmapped",
        None,
        names("I can't answer that yet", "The closest things I can answer"),
    ),
    ("help", ALICE, "help", None, names("What you can ask me")),
]


def test_there_are_at_least_sixty_phrasings() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize(
    ("question", "user", "intent", "account_id", "expect"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_phrasing_is_answered_with_the_stores_figures(
    qa_services: Services,
    question: str,
    user: str,
    intent: str,
    account_id: str | None,
    expect: Expect,
) -> None:
    answer = answer_question(qa_services, Question(text=question, slack_user_id=user, now=NOW))

    assert (answer.intent, answer.account_id) == (intent, account_id), answer.text
    with Session(qa_services.engine) as session:
        expected = expect(Store(session))
    missing = [fragment for fragment in expected if fragment not in answer.text]
    assert not missing, f"missing {missing} in:\n{answer.text}"
    assert_valid_blocks(answer.blocks)
    if intent not in ("help", "unmapped"):
        _assert_ends_with_freshness(answer)


def _assert_ends_with_freshness(answer: Answer) -> None:
    last = answer.blocks[-1]
    assert last["type"] == "context"
    assert last["elements"][0]["text"].startswith("Data as of")
