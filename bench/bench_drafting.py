"""Benchmark: facts-pack build time at 20,000 accounts, and time to first draft.

Builds (once, cached by size and seed) a store from the demo generator through the
contract importer, scores it and runs the CTA rules (so packs hold health history,
drivers, CTAs and playbook steps like production packs). Then, in this one process:

1. Facts pack: ``build_facts_pack`` for a seeded random sample of accounts, by id
   and by name: p50 / p95 / max. Beside it, a reference run in the same process: the
   very SELECT statements each pack sends (captured once), replayed with the plain
   ``sqlite3`` module, i.e. the database's share of the cost. Target: p95 ≤ 100 ms.
2. Time to first draft through the local fake OpenAI server (the real openai client via
   langchain): the first email in this process (client construction included), warm
   drafts after it, and ``csbot draft email`` in a fresh process (start-up included).

    .venv/bin/python bench/bench_drafting.py [--accounts 20000] [--days 180] [--sample 500]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._store import (  # noqa: E402
    CSBOT,
    ROOT,
    build_demo_store,
    capture_selects,
    percentiles,
    replay,
    store_env,
)

END = date(2026, 5, 15)


def build_store(workdir: Path, accounts: int, days: int, seed: int) -> Path:
    """Demo world → import → score on END → CTA rules (untimed, cached by size and seed)."""
    return build_demo_store(
        workdir / f"draft_{accounts}x{days}_s{seed}.db",
        workdir=workdir,
        accounts=accounts,
        days=days,
        seed=seed,
        end=END,
        score_on=[END],
    )


def fmt(stats: dict[str, float]) -> str:
    return " ".join(f"{key} {value:7.2f} ms" for key, value in stats.items())


def quiet_reply(body: dict[str, Any]) -> str:
    """A grounded, claim-free reply, so the benchmark times the happy path."""
    return json.dumps({"subject": "Checking in", "body": "Hi there,\n\nHow are things?\n\nBest"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/csbot-bench-draft"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    database = build_store(args.workdir, args.accounts, args.days, args.seed)

    from sqlalchemy import select

    from bot.container import build_services
    from bot.db.models import Account
    from bot.db.session import unit_of_work
    from bot.errors import UserFacingError
    from bot.services.drafting.drafter import draft_email
    from bot.services.drafting.facts import build_facts_pack
    from bot.settings import Settings
    from tests.support.fake_openai import FakeOpenAI

    url = f"sqlite:///{database.as_posix()}"
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        CSBOT_DATABASE_URL=url,
        CSBOT_DATA_DIR=args.workdir / "var",
        CSBOT_LOG_LEVEL="WARNING",
    )
    services = build_services(settings)
    with unit_of_work(services.session_factory) as session:
        accounts = session.execute(select(Account.account_id, Account.name)).all()
    rng = random.Random(args.seed)
    sample = rng.sample(accounts, min(args.sample, len(accounts)))
    ids = [account_id for account_id, _ in sample]

    workloads = [
        capture_selects(services.engine, lambda a=a: build_facts_pack(services, a, today=END))[1]
        for a in ids
    ]
    replay(database, workloads[:20])  # warm the page cache for both sides alike
    for account_id in ids[:20]:
        build_facts_pack(services, account_id, today=END)

    reference = replay(database, workloads)
    by_id: list[float] = []
    fact_counts: list[int] = []
    for account_id in ids:
        started = time.perf_counter()
        pack = build_facts_pack(services, account_id, today=END)
        by_id.append((time.perf_counter() - started) * 1000)
        fact_counts.append(len(pack.facts))
    by_name: list[float] = []
    for _, name in sample[:100]:
        started = time.perf_counter()
        with contextlib.suppress(UserFacingError):  # an ambiguous name still costs a lookup
            build_facts_pack(services, name, today=END)
        by_name.append((time.perf_counter() - started) * 1000)

    pack_stats, ref_stats = percentiles(by_id), percentiles(reference)
    print(
        f"store: {len(accounts)} accounts x {args.days} days ({database.stat().st_size >> 20} MiB)"
    )
    print(f"facts per pack: median {statistics.median(fact_counts):.0f}, max {max(fact_counts)}")
    print(f"facts pack by id   ({len(by_id)}): {fmt(pack_stats)}")
    print(f"facts pack by name ({len(by_name)}): {fmt(percentiles(by_name))}")
    print(f"reference: the same SELECTs on plain sqlite3 ({len(reference)}): {fmt(ref_stats)}")
    print(f"statements per pack: {statistics.median(len(w) for w in workloads):.0f}")
    print(
        f"pack p95 / reference p95: {pack_stats['p95'] / ref_stats['p95']:.1f}x; "
        f"target p95 <= 100 ms: {'met' if pack_stats['p95'] <= 100 else 'NOT met'}"
    )

    with FakeOpenAI(default=quiet_reply) as fake:
        llm_settings = settings.model_copy(
            update={
                "openai_api_key": None,
                "openai_base_url": fake.base_url,
                "llm_model": "fake-gpt",
            }
        )
        llm_services = build_services(llm_settings)
        started = time.perf_counter()
        first = draft_email(llm_services, ids[0], purpose="check-in", actor="bench", today=END)
        first_ms = (time.perf_counter() - started) * 1000
        assert first.generator == "llm", first.notes
        warm: list[float] = []
        for account_id in ids[1:51]:
            started = time.perf_counter()
            draft_email(llm_services, account_id, purpose="renewal", actor="bench", today=END)
            warm.append((time.perf_counter() - started) * 1000)
        env = store_env(
            database, args.workdir, OPENAI_BASE_URL=fake.base_url, CSBOT_LLM_MODEL="fake-gpt"
        )
        started = time.perf_counter()
        subprocess.run(
            [*CSBOT, "draft", "email", ids[0]],
            check=True,
            env=env,
            cwd=ROOT,
            capture_output=True,
        )
        cli_ms = (time.perf_counter() - started) * 1000
    print(f"first draft in process (LLM client built on first use): {first_ms:7.1f} ms")
    print(f"warm drafts through the fake LLM ({len(warm)}): {fmt(percentiles(warm))}")
    print(f"`csbot draft email` in a fresh process, start to output: {cli_ms:7.1f} ms")


if __name__ == "__main__":
    main()
