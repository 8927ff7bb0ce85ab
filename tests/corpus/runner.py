"""Run the phrasing corpus (questions.yaml) against a store: understood and correct rates.

Used by tests/corpus/test_corpus.py (the demo store, a floor on both rates) and by
bench/bench_questions.py (the 20,000-account store, beside p95 latency). Only public
entry points are used (``answer_question``, the ORM models), so the same runner can
measure an older checkout of csbot for a before/after comparison.

*Understood*: the answer's intent is the one the corpus names. *Correct*: understood,
and the figure the ``check`` names, read here from the store with plain SQLAlchemy,
appears in the answer (or the answer is about the expected account).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.db.models import Account, Contract, Csm, HealthScore, Interaction, Invoice
from bot.slack import formatting as fmt

CORPUS = Path(__file__).with_name("questions.yaml")


def load_corpus() -> list[dict[str, Any]]:
    return list(yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["questions"])


@dataclass(frozen=True)
class Person:
    slack_user_id: str
    csm_id: str
    name: str
    books: frozenset[str] | None  # None: every book


@dataclass(frozen=True)
class Cast:
    """Who asks and about what, all picked from the store (never named in the corpus)."""

    people: dict[str, Person]  # csm | manager | admin
    slots: dict[str, str]  # {account} → a name, …
    account_ids: dict[str, str]  # slot → account id
    scored_on: date | None
    today: date


def _typo(name: str) -> str:
    words = name.split()
    for index, word in enumerate(words):
        if len(word) > 5 and word.isalpha():
            middle = len(word) // 2
            words[index] = word[:middle] + word[middle + 1 :]
            return " ".join(words[: index + 1])
    return name


def pick_cast(session: Session, today: date, *, distinct_cores: bool = True) -> Cast:
    """The busiest CSM, a manager with a team, the admin, and three of their accounts.

    ``distinct_cores`` keeps to names whose core (suffix aside) is unique, as the demo
    repeats names at scale; the realistic-names world is asked by exact legal names
    whatever their stems, since an exact name must win outright.
    """
    from bot.services.accounts.names import core_name

    scored_on = session.scalar(select(func.max(HealthScore.as_of)))
    admin = session.scalars(select(Csm).where(Csm.role == "admin").order_by(Csm.csm_id)).first()
    busiest = session.execute(
        select(Csm.csm_id)
        .join(Account, Account.csm_id == Csm.csm_id)
        .where(Csm.role == "csm", Account.status == "active", Csm.manager_id.is_not(None))
        .group_by(Csm.csm_id)
        .order_by(func.count().desc(), Csm.csm_id)
    ).first()
    assert admin is not None and busiest is not None
    csm = session.get(Csm, busiest[0])
    assert csm is not None and csm.manager_id
    manager = session.get(Csm, csm.manager_id)
    assert manager is not None
    team = frozenset(
        session.scalars(select(Csm.csm_id).where(Csm.manager_id == manager.csm_id))
    ) | {manager.csm_id}
    names = list(session.scalars(select(Account.name)))
    cores = Counter(core_name(n) for n in names)

    def distinctive(csm_ids: frozenset[str], skip: set[str]) -> list[Account]:
        statement = select(Account).where(
            Account.csm_id.in_(sorted(csm_ids)), Account.status == "active"
        )
        if scored_on is not None:
            statement = statement.join(
                HealthScore, HealthScore.account_id == Account.account_id
            ).where(HealthScore.as_of == scored_on)
        rows = session.scalars(statement.order_by(Account.arr.desc(), Account.account_id))
        return [
            a
            for a in rows
            if (cores[core_name(a.name)] == 1 or not distinct_cores) and a.account_id not in skip
        ]

    own = distinctive(frozenset({csm.csm_id}), set())[:2]
    others = distinctive(team - {csm.csm_id}, set())[:1]
    assert len(own) == 2 and others, "the store needs distinctive account names"
    peer = session.scalars(
        select(Csm).where(Csm.manager_id == manager.csm_id, Csm.csm_id != csm.csm_id)
    ).first()
    assert peer is not None
    people = {
        "csm": Person(csm.slack_user_id or "", csm.csm_id, csm.name, frozenset({csm.csm_id})),
        "manager": Person(manager.slack_user_id or "", manager.csm_id, manager.name, team),
        "admin": Person(admin.slack_user_id or "", admin.csm_id, admin.name, None),
    }
    slots = {
        "account": own[0].name,
        "account2": own[1].name,
        "team_account": others[0].name,
        "account_typo": _typo(own[0].name),
        "csm": peer.name.split()[0],
    }
    ids = {
        "account": own[0].account_id,
        "account2": own[1].account_id,
        "team_account": others[0].account_id,
        "account_typo": own[0].account_id,
        "csm": peer.csm_id,
    }
    return Cast(people=people, slots=slots, account_ids=ids, scored_on=scored_on, today=today)


# ----------------------------------------------------------------------------- checks
@dataclass
class Ask:
    entry: dict[str, Any]
    person: Person
    account_id: str | None  # the account the question is about, if one
    session: Session
    cast: Cast
    cast_now: datetime


def _in_scope(statement: Any, ask: Ask) -> Any:
    if ask.person.books is None:
        return statement
    return statement.where(Account.csm_id.in_(sorted(ask.person.books)))


def _account(ask: Ask) -> Account:
    account = ask.session.get(Account, ask.account_id)
    assert account is not None
    return account


def _latest_health(ask: Ask) -> HealthScore | None:
    if ask.cast.scored_on is None:
        return None
    return ask.session.get(HealthScore, (ask.account_id, ask.cast.scored_on))


def _last_touch(ask: Ask, types: tuple[str, ...] | None) -> datetime | None:
    kind = Interaction.type.in_(types) if types else Interaction.type != "note"
    return ask.session.scalar(
        select(func.max(Interaction.occurred_at)).where(
            Interaction.account_id == ask.account_id, kind
        )
    )


def _top_expansion(ask: Ask) -> list[str]:
    statement = (
        select(Account.name)
        .join(HealthScore, HealthScore.account_id == Account.account_id)
        .where(HealthScore.as_of == ask.cast.scored_on, Account.status == "active")
        .where(HealthScore.expansion.is_not(None))
        .order_by(HealthScore.expansion.desc(), Account.account_id)
        .limit(1)
    )
    return list(ask.session.scalars(_in_scope(statement, ask)))


def _ranking(ask: Ask) -> list[str]:
    text = ask.entry["q"].lower()
    if not any(w in text for w in ("arr", "revenue", "largest", "biggest")) or "bottom" in text:
        return []
    statement = (
        select(Account.name)
        .where(Account.status == "active", Account.arr.is_not(None))
        .order_by(Account.arr.desc(), Account.account_id)
        .limit(1)
    )
    if ask.entry.get("check") == "csm_book":
        statement = statement.where(Account.csm_id == ask.cast.account_ids["csm"])
    return list(ask.session.scalars(_in_scope(statement, ask)))


def _invoice_count(ask: Ask) -> list[str]:
    today = ask.cast.today
    problem = or_(
        func.lower(Invoice.status) == "failed",
        (Invoice.paid_at.is_(None))
        & (Invoice.due_at < today)
        & func.lower(func.coalesce(Invoice.status, "")).not_in(("paid", "void")),
    )
    statement = select(func.count()).select_from(Invoice).join(Account).where(problem)
    if ask.account_id:
        statement = statement.where(Invoice.account_id == ask.account_id)
    count = int(ask.session.scalar(_in_scope(statement, ask)) or 0)
    return ["No failed or overdue invoices"] if count == 0 else [fmt.plural(count, "invoice")]


def _renewal_date(ask: Ask) -> list[str]:
    end = ask.session.scalar(
        select(func.min(Contract.end_date)).where(
            Contract.account_id == ask.account_id,
            Contract.status == "active",
            Contract.end_date >= ask.cast.today,
        )
    )
    return [fmt.day(end)] if end else []


def _band_word(text: str) -> str | None:
    bands = [band for band in ("red", "yellow", "green") if band in text.split()]
    return bands[0] if len(bands) == 1 else None


def _shown_band(ask: Ask) -> Any:
    """Active accounts in scope with their band on the latest run (no overrides in corpora)."""
    return (
        select(Account.csm_id, HealthScore.band, HealthScore.score, Account.name)
        .join(HealthScore, HealthScore.account_id == Account.account_id)
        .where(HealthScore.as_of == ask.cast.scored_on, Account.status == "active")
    )


def _band_count(ask: Ask) -> list[str]:
    text = ask.entry["q"].lower()
    band = _band_word(text)
    if band is None or ask.cast.scored_on is None or "{csm}" in ask.entry["q"]:
        return []
    rows = ask.session.execute(_in_scope(_shown_band(ask), ask)).all()
    count = sum(1 for row in rows if row.band == band)
    return [fmt.plural(count, "account")] if count else [f"No {band} accounts"]


def _top_csm(ask: Ask) -> list[str]:
    if ask.cast.scored_on is None:
        return []
    text = ask.entry["q"].lower()
    if "at risk" in text:
        return []
    band = _band_word(text) or "red"
    rows = ask.session.execute(_in_scope(_shown_band(ask), ask)).all()
    counts = Counter(row.csm_id for row in rows if row.band == band)
    if not counts:
        return [f"No {band} accounts"]
    best = max(counts.values())
    names = sorted(
        csm.name
        for csm_id, n in counts.items()
        if n == best and (csm := ask.session.get(Csm, csm_id))
    )
    return [f"{names[0]} has the most"] if len(names) == 1 else []


def _biggest_drop(ask: Ask) -> list[str]:
    latest = ask.cast.scored_on
    if latest is None:
        return []
    days = 30 if "month" in ask.entry["q"].lower() else 7
    then = ask.session.scalar(
        select(func.max(HealthScore.as_of)).where(
            HealthScore.as_of <= latest - timedelta(days=days)
        )
    )
    if then is None:
        return []
    now_rows = dict(
        ask.session.execute(
            _in_scope(
                select(Account.account_id, HealthScore.score)
                .join(HealthScore, HealthScore.account_id == Account.account_id)
                .where(HealthScore.as_of == latest, Account.status == "active"),
                ask,
            )
        ).all()
    )
    then_rows = dict(
        ask.session.execute(
            select(HealthScore.account_id, HealthScore.score).where(HealthScore.as_of == then)
        ).all()
    )
    drops = sorted(
        (now_rows[a] - then_rows[a], a)
        for a in now_rows
        if a in then_rows and now_rows[a] < then_rows[a]
    )
    if not drops:
        return ["No health score fell"]
    account = ask.session.get(Account, drops[0][1])
    return [account.name] if account else []


def _quiet_count(ask: Ask) -> list[str]:
    text = ask.entry["q"].lower()
    days = 30
    for token, unit in zip(text.split(), text.split()[1:], strict=False):
        if token.isdigit():
            days = int(token) * (
                7 if unit.startswith("week") else 30 if unit.startswith("month") else 1
            )
    if "{csm}" in ask.entry["q"]:
        return []
    since = ask.cast_now - timedelta(days=days)
    touched = (
        select(Interaction.account_id)
        .where(Interaction.type != "note", Interaction.occurred_at >= since)
        .distinct()
    )
    statement = (
        select(func.count())
        .select_from(Account)
        .where(Account.status == "active", Account.account_id.not_in(touched))
    )
    count = int(ask.session.scalar(_in_scope(statement, ask)) or 0)
    return [fmt.plural(count, "account")] if count else ["Every active account"]


Check = Callable[[Ask], list[str]]
CHECKS: dict[str, Check] = {
    "intent": lambda ask: [],
    "account_id": lambda ask: [],
    "account": lambda ask: [_account(ask).name],
    "health_score": lambda ask: [fmt.score(h.score)] if (h := _latest_health(ask)) else [],
    "renewal_date": _renewal_date,
    "account_arr": lambda ask: [fmt.money(_account(ask).arr, _account(ask).currency or "USD")],
    "ranking": _ranking,
    "top_expansion": _top_expansion,
    "invoice_count": _invoice_count,
    "viewer_name": lambda ask: [ask.person.name],
    "last_qbr": lambda ask: [fmt.day(t)] if (t := _last_touch(ask, ("qbr",))) else [],
    "last_touch": lambda ask: [fmt.day(t)] if (t := _last_touch(ask, None)) else [],
    "csm_book": lambda ask: [],
    "compare": lambda ask: [ask.cast.slots["account"], ask.cast.slots["account2"]],
    "unmapped": lambda ask: ["I can't answer that yet"],
}
CHECKS["band_count"] = _band_count
CHECKS["top_csm"] = _top_csm
CHECKS["biggest_drop"] = _biggest_drop
CHECKS["quiet_count"] = _quiet_count
for _name in ("churned_count", "account_count", "renewal_count"):
    CHECKS[_name] = CHECKS["intent"]


NEEDS_ACCOUNT = frozenset(
    {"account", "health_score", "renewal_date", "account_arr", "last_qbr", "last_touch"}
)


@dataclass
class Outcome:
    question: str
    role: str
    expected: str
    got: str
    understood: bool
    correct: bool
    elapsed_ms: float
    missing: list[str] = field(default_factory=list)
    wrong_account: bool = False


@dataclass
class Report:
    outcomes: list[Outcome]

    @property
    def understood_rate(self) -> float:
        return sum(o.understood for o in self.outcomes) / len(self.outcomes)

    @property
    def correct_rate(self) -> float:
        return sum(o.correct for o in self.outcomes) / len(self.outcomes)

    def p95_ms(self) -> float:
        times = sorted(o.elapsed_ms for o in self.outcomes)
        return times[min(len(times) - 1, int(0.95 * len(times)))]

    @property
    def wrong_account(self) -> int:
        """Answers about an account other than the one asked about (target 0)."""
        return sum(o.wrong_account for o in self.outcomes)

    @property
    def forced_choices(self) -> int:
        """Exact names answered with "which one did you mean?" (target 0)."""
        return sum(o.got == "choose_account" for o in self.outcomes)

    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.correct]


def _slot_account(entry: dict[str, Any], cast: Cast) -> str | None:
    if entry.get("context") == "account":
        return cast.account_ids["account"]
    for slot in ("account_typo", "team_account", "account2", "account"):
        if "{" + slot + "}" in entry["q"]:
            return None if entry["intent"] == "compare" else cast.account_ids[slot]
    return None


def run_corpus(
    services: Any,
    now: datetime,
    entries: list[dict[str, Any]] | None = None,
    *,
    distinct_cores: bool = True,
) -> Report:
    """Ask every corpus question through ``answer_question`` and grade the answers."""
    from bot.services.answers.pipeline import Question, answer_question

    entries = entries if entries is not None else load_corpus()
    today = now.date()
    outcomes: list[Outcome] = []
    with Session(services.engine) as session:
        cast = pick_cast(session, today, distinct_cores=distinct_cores)
        for entry in entries:
            person = cast.people[entry["as"]]
            text = entry["q"].format(**cast.slots)
            account_id = _slot_account(entry, cast)
            context = cast.account_ids["account"] if entry.get("context") else None
            started = time.perf_counter()
            answer = answer_question(
                services,
                Question(
                    text=text,
                    slack_user_id=person.slack_user_id,
                    now=now,
                    context_account_id=context,
                ),
            )
            elapsed = (time.perf_counter() - started) * 1000
            understood = answer.intent == entry["intent"]
            ask = Ask(entry, person, account_id, session, cast, now)
            check = entry.get("check", "intent")
            if account_id is None and check in NEEDS_ACCOUNT:
                check = "intent"  # the portfolio form of an account check
            expected = CHECKS[check](ask) if understood else []
            if entry.get("check") == "csm_book" and understood:
                peer = session.get(Csm, cast.account_ids["csm"])
                expected = [peer.name] if peer else []
            missing = [fragment for fragment in expected if fragment not in answer.text]
            right_account = account_id is None or answer.account_id == account_id
            outcomes.append(
                Outcome(
                    question=text,
                    role=entry["as"],
                    expected=entry["intent"],
                    got=answer.intent,
                    understood=understood,
                    correct=understood and not missing and right_account,
                    elapsed_ms=elapsed,
                    missing=missing,
                    wrong_account=bool(
                        account_id and answer.account_id and answer.account_id != account_id
                    ),
                )
            )
    return Report(outcomes)


def scoring_days(end: date) -> list[date]:
    return [end - timedelta(days=offset) for offset in (30, 7, 0)]
