"""Benchmark: "what are X's users complaining about?" on a warm process (issue 15).

Point it at a data folder ``csbot run`` prepared (its first start stores sentiment,
churn intent and themes). The knowledge layer is warmed exactly as ``csbot serve``
does at start (``warm_knowledge``), then themes questions for a seeded sample of
accounts and for the whole portfolio are answered through ``answer_question`` as the
demo admin: p50 / p95 / max. Target: p95 < 1 s warm, and no theme rebuilt on the way.

    CSBOT_DATA_DIR=var .venv/bin/python bench/bench_themes_warm.py [--sample 40]
    (CSBOT_EMBEDDER=hashing measures the model-free path)
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._store import percentiles  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=40)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--as", dest="viewer", default="U0CSM0011", help="demo admin")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from bot.container import build_services
    from bot.db.models import Account, TicketTheme
    from bot.services.answers.pipeline import Question, answer_question
    from bot.services.corpus.indexing import warm_knowledge
    from bot.settings import load_settings

    services = build_services(load_settings())
    started = time.perf_counter()
    warm_knowledge(services)
    print(f"warm-up ({services.knowledge.embedder.model_id}): {time.perf_counter() - started:.1f}s")
    with services.session_factory() as session:
        names = list(session.scalars(select(Account.name).order_by(Account.account_id)))
        stamp = session.scalar(select(func.max(TicketTheme.computed_at)))
    picked = random.Random(args.seed).sample(names, min(args.sample, len(names)))
    questions = [f"what are {name}'s users complaining about?" for name in picked]
    questions += ["what are customers complaining about?"] * 5
    timings: list[float] = []
    for text in questions:
        began = time.perf_counter()
        answer = answer_question(services, Question(text, args.viewer))
        timings.append((time.perf_counter() - began) * 1000)
        assert answer.intent in ("themes", "account_not_found"), (text, answer.intent)
    with services.session_factory() as session:
        assert session.scalar(select(func.max(TicketTheme.computed_at))) == stamp, "rebuilt"
    figures = percentiles(timings)
    print(
        f"{len(timings)} themes answers: p50 {figures['p50']:.0f} ms, "
        f"p95 {figures['p95']:.0f} ms, max {figures['max']:.0f} ms (target p95 < 1000 ms)"
    )


if __name__ == "__main__":
    main()
