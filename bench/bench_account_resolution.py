"""Benchmark: does the assistant find the right account on names no one tuned it to?

Generates the realistic-names world (``bot.sources.demo.realistic_names``: legal
suffixes, shared stems, industry words, twin legal entities in different books),
imports it with the real contract importer into a fresh SQLite store, then asks
"how is NAME doing?" through ``answer_question`` for every account, by:

* its owner, another CSM (other team) and the owner's manager, with
  ``CSBOT_VISIBILITY=all`` and with ``CSBOT_VISIBILITY=own`` (where the other CSM
  may not see it);

naming it by its exact legal name, its short name (legal suffix dropped), its
account id (``ACC-7731``) and its domain. Figures printed:

* wrong-account answers: answered about another account, or "not found" for an
  account the asker may see (target 0);
* forced disambiguation on exact names, ids and domains (target 0);
* accounts hidden from the asker (another team's CSM, ``own``): answered about some
  other account (a wrong-account answer, except the asker's own twin asked by its
  shared short name), or naming the hidden account (a hint; target 0);
* ambiguous short names (shared by several accounts the asker sees): how many
  were picked silently, and of those how many without the asker's own book
  deciding it (target 0); the rest got the choice, with the account among it.

    .venv/bin/python bench/bench_account_resolution.py [--accounts 400] [--seed 14]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.db.migrate import upgrade_to_head  # noqa: E402
from bot.db.session import make_engine, make_session_factory  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.services.accounts.names import BookPreference, core_name  # noqa: E402
from bot.services.accounts.viewers import resolve_viewer  # noqa: E402
from bot.services.answers.pipeline import Question, answer_question  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.sources.demo.realistic_names import (  # noqa: E402
    Company,
    RealisticWorld,
    build_realistic_world,
    write_realistic_folder,
)
from bot.sources.importer import import_folder  # noqa: E402

NOW = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


@dataclass
class Tally:
    asked: int = 0
    wrong: Counter[str] = field(default_factory=Counter)  # form → wrong-account answers
    forced_choice: Counter[str] = field(default_factory=Counter)  # exact forms → choices
    hidden_asked: int = 0
    hidden_hinted: int = 0  # the hidden account's name appeared in the answer
    ambiguous: int = 0
    silent_pick: int = 0
    silent_pick_not_own: int = 0
    examples: list[str] = field(default_factory=list)


def _services(url: str, data_dir: Path, visibility: str) -> Services:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        CSBOT_DATABASE_URL=url,
        CSBOT_DATA_DIR=data_dir,
        CSBOT_VISIBILITY=visibility,
    )
    engine = make_engine(url)
    return Services(settings=settings, engine=engine, session_factory=make_session_factory(engine))


def _askers(world: RealisticWorld, company: Company, visibility: str) -> list[tuple[str, str]]:
    owner = world.person(company.csm_id)
    manager = world.person(owner.manager_id or "")
    other = next(p for p in world.csms if p.team != owner.team)
    askers = [("owner", owner.slack_user_id), ("manager", manager.slack_user_id)]
    askers.append(
        ("other CSM" if visibility == "all" else "other CSM, hidden", other.slack_user_id)
    )
    return askers


def measure(services: Services, world: RealisticWorld, tally: Tally, visibility: str) -> None:
    """Ask about every account in every form as every asker; count what went wrong."""
    with services.session_factory() as session:
        viewers = {p.slack_user_id: resolve_viewer(session, p.slack_user_id, visibility=visibility)
                   for p in world.people}  # fmt: skip
    by_short: dict[str, list[Company]] = {}
    for company in world.companies:
        by_short.setdefault(core_name(company.name), []).append(company)
    for company in world.companies:
        forms = {
            "exact name": company.name,
            "short name": _short(company.name),
            "account id": company.account_id,
            "domain": company.domain,
        }
        for role, slack_id in _askers(world, company, visibility):
            viewer = viewers[slack_id]
            assert viewer is not None
            prefer = BookPreference.for_viewer(viewer)
            for form, said in forms.items():
                answer = answer_question(
                    services,
                    Question(text=f"how is {said} doing?", slack_user_id=slack_id, now=NOW),
                )
                tally.asked += 1
                label = f"{form} / {role} / {visibility}"
                if not viewer.can_see_book(company.csm_id):
                    tally.hidden_asked += 1
                    if company.name in answer.text:
                        tally.hidden_hinted += 1
                        _example(tally, "hint " + label, said, answer.text)
                    own_twin = [
                        c for c in by_short[core_name(company.name)]
                        if viewer.can_see_book(c.csm_id)
                    ]  # fmt: skip
                    allowed = {c.account_id for c in own_twin} if form == "short name" else set()
                    if answer.account_id is not None and answer.account_id not in allowed:
                        tally.wrong[label] += 1
                        _example(tally, label, said, answer.text)
                    continue
                twins = [
                    c for c in by_short[core_name(company.name)]
                    if viewer.can_see_book(c.csm_id)
                ]  # fmt: skip
                shared = form == "short name" and len(twins) > 1
                if shared:
                    tally.ambiguous += 1
                if answer.intent == "choose_account":
                    if not shared:
                        tally.forced_choice[label] += 1
                        _example(tally, label, said, answer.text)
                    elif company.account_id not in {i for i, _ in answer.choices}:
                        tally.wrong[label] += 1
                        _example(tally, label, said, answer.text)
                    continue
                if shared and answer.account_id is not None:
                    tally.silent_pick += 1
                    own = [c for c in twins if prefer.rank(_as_name(c)) == 0]
                    if len(own) != 1:
                        tally.silent_pick_not_own += 1
                        _example(tally, "silent pick " + label, said, answer.text)
                    expected = own[0].account_id if len(own) == 1 else company.account_id
                    if answer.account_id != expected:
                        tally.wrong[label] += 1
                    continue
                if answer.account_id != company.account_id:
                    tally.wrong[label] += 1
                    _example(tally, label, said, answer.text)


def _short(name: str) -> str:
    """The name without its legal suffix, as a CSM says it ("Atlas Insurance")."""
    return " ".join(name.split()[: len(core_name(name).split())])


def _as_name(company: Company):  # noqa: ANN202 - the resolver's record
    from bot.db.queries.records import AccountName

    return AccountName(company.account_id, company.name, company.csm_id, "active")


def _example(tally: Tally, label: str, said: str, text: str) -> None:
    if len(tally.examples) < 8:
        tally.examples.append(f"  {label}: “{said}” → {text[:100]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=400)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    world = build_realistic_world(accounts=args.accounts, seed=args.seed)
    shares = Counter(core_name(c.name) for c in world.companies)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        url = f"sqlite:///{(root / 'csbot.db').as_posix()}"
        engine = make_engine(url)
        upgrade_to_head(engine)
        import_folder(write_realistic_folder(root / "contract", world), engine)
        tally = Tally()
        started = time.perf_counter()
        for visibility in ("all", "own"):
            measure(_services(url, root / "var", visibility), world, tally, visibility)
        elapsed = time.perf_counter() - started
    wrong = sum(tally.wrong.values())
    forced = sum(tally.forced_choice.values())
    print(
        f"realistic world: {len(world.companies)} accounts, {len(world.csms)} CSMs in 2 teams, "
        f"{sum(1 for n in shares.values() if n > 1)} short names shared by 2+ accounts"
    )
    print(f"questions asked: {tally.asked} in {elapsed:.1f} s")
    print(f"wrong-account answers: {wrong} (target 0)")
    for label, count in sorted(tally.wrong.items()):
        print(f"  {label}: {count}")
    print(f"forced disambiguation on exact names / ids / domains: {forced} (target 0)")
    for label, count in sorted(tally.forced_choice.items()):
        print(f"  {label}: {count}")
    print(
        f"ambiguous short names asked: {tally.ambiguous}; silently picked: {tally.silent_pick} "
        f"(all by the asker's own book: {tally.silent_pick - tally.silent_pick_not_own}); "
        f"picked without the asker's book deciding: {tally.silent_pick_not_own} (target 0)"
    )
    print(
        f"asked about accounts hidden from the asker (CSBOT_VISIBILITY=own): {tally.hidden_asked}; "
        f"answers naming the hidden account: {tally.hidden_hinted} (target 0)"
    )
    if tally.examples:
        print("examples:")
        print("\n".join(tally.examples))


if __name__ == "__main__":
    main()
