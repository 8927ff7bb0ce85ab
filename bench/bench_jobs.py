"""Benchmark: CTA rules + renewal reminders over 20,000 accounts on SQLite, and alert
delivery through the fake Slack server with its per-channel rate limit on.

Part 1 builds a store (20,000 accounts, 40 CSMs, 61 days of usage, health snapshots,
contracts, NPS, tickets, invoices, champions), then times the two jobs' planning
(rules → CTAs → outbox rows), beside a reference in the same run: one plain SQL
aggregate over the usage table with the sqlite3 module. Target: under 30 s.

Part 2 queues alerts and times their delivery through ``FakeSlackApi`` with Slack's
~1 message/s per channel limit on (429 + Retry-After): many DM channels, and one
shared channel.

    .venv/bin/python bench/bench_jobs.py [--accounts 20000] [--deliver 400]
"""

from __future__ import annotations

import argparse
import logging
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.db.migrate import upgrade_to_head  # noqa: E402
from bot.db.session import make_engine, make_session_factory  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.settings import Settings  # noqa: E402

NOW = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)
TODAY = NOW.date()
CSMS = 40


def _ts(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def build_store(path: Path, accounts: int, seed: int = 11) -> dict[str, int]:
    """Fill a migrated SQLite file with plain executemany (not part of the timing)."""
    rnd = random.Random(seed)
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    engine.dispose()
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    db.executemany(
        "INSERT INTO csms (csm_id, name, slack_user_id, role, manager_id) VALUES (?,?,?,?,?)",
        [("M0", "Manager", "UMGR0", "manager", None)]
        + [(f"C{n:03d}", f"CSM {n}", f"U{n:07d}", "csm", "M0") for n in range(CSMS)],
    )
    ids = [f"A{n:06d}" for n in range(accounts)]
    db.executemany(
        "INSERT INTO accounts (account_id, name, arr, licensed_seats, csm_id, customer_since,"
        " status) VALUES (?,?,?,?,?,?,?)",
        [
            (
                a,
                f"Company {n}",
                rnd.randint(5, 500) * 1000,
                rnd.randint(10, 400),
                f"C{n % CSMS:03d}",
                (TODAY - timedelta(days=rnd.choice([20, 45, 400, 800]))).isoformat(),
                "active",
            )
            for n, a in enumerate(ids)
        ],
    )
    counts = {"accounts": accounts}
    health = []
    for a in ids:
        base = rnd.uniform(20, 95)
        for days_ago, drift in ((0, 0), (1, rnd.uniform(-8, 8)), (31, rnd.uniform(-25, 10))):
            score = max(0.0, min(100.0, base + drift))
            band = "red" if score < 40 else "yellow" if score < 70 else "green"
            health.append(
                (
                    a,
                    (TODAY - timedelta(days=days_ago)).isoformat(),
                    score,
                    band,
                    band,
                    "{}",
                    '[{"text": "active users down 42% vs the prior 30 days"}]',
                    "[]",
                    "bench",
                    _ts(NOW),
                )
            )
    db.executemany(
        "INSERT INTO health_scores (account_id, as_of, score, band, computed_band, components,"
        " drivers, missing_components, config_version, computed_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        health,
    )
    counts["health_scores"] = len(health)
    usage = []
    for a in ids:
        level = rnd.randint(20, 400)
        trend = rnd.choice([0.3, 0.8, 1.0, 1.0, 1.7])
        quiet_from = rnd.choice([None] * 9 + [25])
        for d in range(1, 62):
            events = int(level * (trend if d <= 31 else 1.0) * rnd.uniform(0.8, 1.2))
            logins = 0 if quiet_from and d <= quiet_from else rnd.randint(1, 30)
            usage.append(
                (a, (TODAY - timedelta(days=d)).isoformat(), rnd.randint(1, 60), logins, events)
            )
        if len(usage) > 200_000:
            db.executemany(
                "INSERT INTO usage_daily (account_id, date, active_users, logins,"
                " events) VALUES (?,?,?,?,?)",
                usage,
            )
            counts["usage_daily"] = counts.get("usage_daily", 0) + len(usage)
            usage.clear()
    db.executemany(
        "INSERT INTO usage_daily (account_id, date, active_users, logins, events)"
        " VALUES (?,?,?,?,?)",
        usage,
    )
    counts["usage_daily"] = counts.get("usage_daily", 0) + len(usage)
    contracts = [
        (
            f"K{n:06d}",
            a,
            (TODAY - timedelta(days=200)).isoformat(),
            (TODAY + timedelta(days=rnd.randint(1, 365))).isoformat(),
            rnd.randint(5, 500) * 1000,
            "active",
        )
        for n, a in enumerate(ids)
    ]
    db.executemany(
        "INSERT INTO contracts (contract_id, account_id, start_date, end_date, arr,"
        " status) VALUES (?,?,?,?,?,?)",
        contracts,
    )
    counts["contracts"] = len(contracts)
    sample = rnd.sample(ids, accounts // 4)
    db.executemany(
        "INSERT INTO nps (response_id, account_id, responded_at, score) VALUES (?,?,?,?)",
        [
            (f"N{n}", a, _ts(NOW - timedelta(days=rnd.randint(0, 60))), rnd.randint(0, 10))
            for n, a in enumerate(sample)
        ],
    )
    db.executemany(
        "INSERT INTO tickets (ticket_id, account_id, created_at, status, priority, escalated,"
        " subject) VALUES (?,?,?,?,?,?,?)",
        [
            (
                f"T{n}",
                a,
                _ts(NOW - timedelta(days=rnd.randint(0, 30))),
                rnd.choice(["open", "solved"]),
                rnd.choice(["normal", "high", "urgent"]),
                rnd.random() < 0.1,
                "Export failing",
            )
            for n, a in enumerate(sample)
        ],
    )
    db.executemany(
        "INSERT INTO invoices (invoice_id, account_id, issued_at, amount, due_at, status)"
        " VALUES (?,?,?,?,?,?)",
        [
            (
                f"I{n}",
                a,
                (TODAY - timedelta(days=40)).isoformat(),
                9000,
                (TODAY - timedelta(days=10)).isoformat(),
                rnd.choice(["paid", "open", "failed"]),
            )
            for n, a in enumerate(sample)
        ],
    )
    db.executemany(
        "INSERT INTO contacts (contact_id, account_id, name, is_champion, is_active,"
        " last_contacted_at) VALUES (?,?,?,?,?,?)",
        [
            (
                f"P{n}",
                a,
                f"Champion {n}",
                True,
                rnd.random() > 0.05,
                _ts(NOW - timedelta(days=rnd.randint(0, 120))),
            )
            for n, a in enumerate(ids)
        ],
    )
    db.commit()
    db.close()
    return counts


def reference_aggregate(path: Path) -> float:
    """One plain grouped query over the usage table, like the rules' heaviest read."""
    db = sqlite3.connect(path)
    started = time.perf_counter()
    db.execute(
        "SELECT account_id, SUM(CASE WHEN date > ? THEN events ELSE 0 END), SUM(events),"
        " MAX(CASE WHEN logins > 0 THEN date END) FROM usage_daily WHERE date > ?"
        " GROUP BY account_id",
        ((TODAY - timedelta(days=31)).isoformat(), (TODAY - timedelta(days=91)).isoformat()),
    ).fetchall()
    seconds = time.perf_counter() - started
    db.close()
    return seconds


def services_for(path: Path, **env: object) -> Services:
    settings = Settings(
        _env_file=None,
        CSBOT_DATABASE_URL=f"sqlite:///{path}",  # type: ignore[call-arg]
        CSBOT_DATA_DIR=path.parent / "var",
        CSBOT_QUIET_HOURS="off",
        **env,
    )
    engine = make_engine(settings.resolved_database_url)
    return Services(settings=settings, engine=engine, session_factory=make_session_factory(engine))


def bench_rules(workdir: Path, accounts: int) -> None:
    from jobs.ctas import run_cta_rules, run_renewal_reminders
    from jobs.runner import run_job

    path = workdir / "rules.db"
    started = time.perf_counter()
    counts = build_store(path, accounts)
    print(
        f"store built in {time.perf_counter() - started:.1f}s: "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items())
    )
    reference = reference_aggregate(path)
    services = services_for(path)
    results = {}
    for name, function in (
        ("cta_rules", run_cta_rules),
        ("renewal_reminders", run_renewal_reminders),
    ):
        result = run_job(name, function, services, now=NOW, deliver=False)
        assert result.ok, result.error
        results[name] = result
    total = sum(r.seconds for r in results.values())
    for name, result in results.items():
        summary = result.summary
        print(
            f"{name:18} {result.seconds:6.2f}s  ctas {summary['ctas_created']:>6,}  "
            f"alerts planned {summary['alerts_planned']:>5,}  rolled {summary['alerts_rolled']:>6,}"
        )
    print(
        f"CTA rules + renewal reminders over {accounts:,} accounts: {total:.2f}s "
        f"(target < 30 s: {'OK' if total < 30 else 'MISSED'})"
    )
    print(
        f"reference: one grouped SQL aggregate over usage_daily {reference:.2f}s "
        f"(jobs = {total / reference:.1f}× the reference)"
    )
    again = run_job(
        "cta_rules", run_cta_rules, services, now=NOW + timedelta(minutes=5), deliver=False
    )
    print(f"re-run of cta_rules: {again.seconds:.2f}s, {again.summary['ctas_created']} new CTAs")
    services.engine.dispose()


def bench_delivery(workdir: Path, alerts: int) -> None:
    from bot.db.session import unit_of_work
    from bot.services.outbox.delivery import send_now
    from bot.services.outbox.queue import queue_message
    from tests.support.fake_slack import FakeSlackApi

    for label, channels in (("40 DM channels", CSMS), ("1 shared channel", 1)):
        path = workdir / f"deliver-{channels}.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade_to_head(engine)
        engine.dispose()
        count = alerts if channels > 1 else min(alerts, 20)
        with FakeSlackApi() as fake:
            fake.limit_channel_rate(per_second=1.0, burst=3)
            services = services_for(
                path, SLACK_BOT_TOKEN=fake.bot_token, SLACK_API_URL=fake.base_url
            )
            block = [{"type": "section", "text": {"type": "mrkdwn", "text": "bench alert"}}]
            with unit_of_work(services.session_factory) as session:
                for n in range(count):
                    queue_message(
                        session,
                        dedupe_key=f"bench:{n}",
                        kind="cta",
                        channel=f"C{n % channels:05d}",
                        text=f"alert {n}",
                        blocks=block,
                        now=NOW,
                        settings=services.settings,
                    )
            started = time.perf_counter()
            report = send_now(services, now=NOW, wait_seconds=600)
            assert report is not None  # the fake's token is set
            seconds = time.perf_counter() - started
            posted = len([m for m in fake.all_messages()])
            limited = len([c for c in fake.requests("chat.postMessage") if c.status == 429])
            print(
                f"delivery, {label:16}: {report.sent:4} sent in {seconds:6.2f}s = "
                f"{report.sent / seconds:6.1f} alerts/s ({limited} × 429 met, "
                f"{posted} messages at the fake, duplicates {posted - report.sent})"
            )
            services.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--deliver", type=int, default=400)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        bench_rules(workdir, args.accounts)
        bench_delivery(workdir, args.deliver)


if __name__ == "__main__":
    main()
